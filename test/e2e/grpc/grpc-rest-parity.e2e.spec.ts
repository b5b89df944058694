import type { Test } from 'supertest';
import { tokenFor, type TokenRequest } from '../../support/auth';
import { BUILT_IN_SERVICE_NAMES, guidOf, newTenantId, validConfig } from '../../support/fixtures';
import {
  callRpc,
  createPlatformClient,
  platformAsJson,
  toStruct,
  type PlatformServiceClient,
  type RpcMethod,
} from '../../support/grpc-client';
import { startHybridTestApp, type HybridTestApp } from '../../support/test-app';
import { API, UNKNOWN_ID, http, registerPlatform } from '../e2e-helpers';

/**
 * REST ↔ gRPC parity: ONE table of (caller role and tenant, operation and input) → outcome
 * class, run against both transports of the same app. Every row must give the table's outcome
 * on REST and on gRPC, with the same error code, message and invalid fields; reads give the
 * same JSON. Tenant A owns the target platform; "other-" callers belong to tenant B.
 */
type Outcome =
  | 'OK'
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION';

/** The contract's correspondence of HTTP statuses and gRPC codes. */
const OUTCOME_OF_HTTP: Readonly<Record<number, Outcome>> = {
  200: 'OK',
  201: 'OK',
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
};

type Caller =
  | 'anonymous'
  | 'forged-token'
  | 'platform-admin'
  | 'tenant-admin'
  | 'tenant-viewer'
  | 'integration'
  | 'other-tenant-admin'
  | 'other-tenant-viewer';

/** Operation and input; "own"/"other" = the caller's tenant or not (A for platform admins). */
type Operation =
  | 'register own'
  | 'register other'
  | 'register own, service already registered'
  | 'register own, empty client_secret'
  | 'register other, empty client_secret'
  | 'get target'
  | 'get unknown id'
  | 'get malformed id'
  | 'update target'
  | 'update target, stale version'
  | 'update target, empty client_secret'
  | 'deactivate target'
  | 'activate target'
  | 'list own'
  | 'list other'
  | 'list default tenant'
  | 'list other, limit 0';

const OPERATIONS: readonly Operation[] = [
  'register own',
  'register other',
  'register own, service already registered',
  'register own, empty client_secret',
  'register other, empty client_secret',
  'get target',
  'get unknown id',
  'get malformed id',
  'update target',
  'update target, stale version',
  'update target, empty client_secret',
  'deactivate target',
  'activate target',
  'list own',
  'list other',
  'list default tenant',
  'list other, limit 0',
];

const U = 'UNAUTHENTICATED';
const D = 'PERMISSION_DENIED';
const I = 'INVALID_ARGUMENT';
const N = 'NOT_FOUND';

const everything = (outcome: Outcome): Record<Operation, Outcome> =>
  Object.fromEntries(OPERATIONS.map((operation) => [operation, outcome])) as Record<
    Operation,
    Outcome
  >;

/** The table. Shape checks come before tenant and existence checks, on both transports. */
const TABLE: Record<Caller, Record<Operation, Outcome>> = {
  anonymous: everything(U),
  'forged-token': everything(U),
  'platform-admin': {
    'register own': 'OK',
    'register other': 'OK',
    'register own, service already registered': 'ALREADY_EXISTS',
    'register own, empty client_secret': I,
    'register other, empty client_secret': I,
    'get target': 'OK',
    'get unknown id': N,
    'get malformed id': I,
    'update target': 'OK',
    'update target, stale version': 'FAILED_PRECONDITION',
    'update target, empty client_secret': I,
    'deactivate target': 'OK',
    'activate target': 'OK',
    'list own': 'OK',
    'list other': 'OK',
    'list default tenant': 'OK',
    'list other, limit 0': I,
  },
  'tenant-admin': {
    'register own': 'OK',
    'register other': D,
    'register own, service already registered': 'ALREADY_EXISTS',
    'register own, empty client_secret': I,
    'register other, empty client_secret': I,
    'get target': 'OK',
    'get unknown id': N,
    'get malformed id': I,
    'update target': 'OK',
    'update target, stale version': 'FAILED_PRECONDITION',
    'update target, empty client_secret': I,
    'deactivate target': 'OK',
    'activate target': 'OK',
    'list own': 'OK',
    'list other': D,
    'list default tenant': 'OK',
    'list other, limit 0': I,
  },
  'tenant-viewer': {
    'register own': D,
    'register other': D,
    'register own, service already registered': D,
    'register own, empty client_secret': D,
    'register other, empty client_secret': D,
    'get target': 'OK',
    'get unknown id': N,
    'get malformed id': I,
    'update target': D,
    'update target, stale version': D,
    'update target, empty client_secret': D,
    'deactivate target': D,
    'activate target': D,
    'list own': 'OK',
    'list other': D,
    'list default tenant': 'OK',
    'list other, limit 0': I,
  },
  // The integration role may only resolve credentials (gRPC only): every management call is 403.
  integration: everything(D),
  'other-tenant-admin': {
    'register own': 'OK',
    'register other': D,
    'register own, service already registered': 'ALREADY_EXISTS',
    'register own, empty client_secret': I,
    'register other, empty client_secret': I,
    'get target': N,
    'get unknown id': N,
    'get malformed id': I,
    'update target': N,
    'update target, stale version': N,
    'update target, empty client_secret': I,
    'deactivate target': N,
    'activate target': N,
    'list own': 'OK',
    'list other': D,
    'list default tenant': 'OK',
    'list other, limit 0': I,
  },
  'other-tenant-viewer': {
    'register own': D,
    'register other': D,
    'register own, service already registered': D,
    'register own, empty client_secret': D,
    'register other, empty client_secret': D,
    'get target': N,
    'get unknown id': N,
    'get malformed id': I,
    'update target': D,
    'update target, stale version': D,
    'update target, empty client_secret': D,
    'deactivate target': D,
    'activate target': D,
    'list own': 'OK',
    'list other': D,
    'list default tenant': 'OK',
    'list other, limit 0': I,
  },
};

interface World {
  tenantA: string;
  tenantB: string;
  target: string;
}

function claimsOf(caller: Caller, world: World): TokenRequest | null {
  switch (caller) {
    case 'anonymous':
      return null;
    case 'forged-token':
      return { roles: ['platform-admin'], secret: 'not-the-real-secret-0123456789abcdef' };
    case 'platform-admin':
      return { roles: ['platform-admin'] };
    case 'tenant-admin':
    case 'tenant-viewer':
    case 'integration':
      return { sub: caller, tenantId: world.tenantA, roles: [caller] };
    case 'other-tenant-admin':
      return { sub: caller, tenantId: world.tenantB, roles: ['tenant-admin'] };
    case 'other-tenant-viewer':
      return { sub: caller, tenantId: world.tenantB, roles: ['tenant-viewer'] };
  }
}

/** One operation with its input, as a REST request and as a gRPC call. */
interface Request {
  rest: (client: ReturnType<typeof http>) => Test;
  grpc: [RpcMethod, Record<string, unknown>];
  /** Whether the two OK answers must be the same JSON (reads of data only this file writes). */
  comparable: boolean;
  /** A registration: the tenant and the service each transport registers. */
  registers?: { tenant: string; rest: string; grpc: string };
}

let counter = 0;

/** The services each tenant has a platform of (one per service and tenant, 10 built in). */
const taken = new Map<string, Set<string>>();

/** The tenant's services (the world registers outlook for both tenants). */
function takenBy(tenant: string): Set<string> {
  const used = taken.get(tenant) ?? new Set(['outlook']);
  taken.set(tenant, used);
  return used;
}

/** Two built-in services the tenant has no platform of yet: one per transport. */
function freeServices(tenant: string): [string, string] {
  const free = BUILT_IN_SERVICE_NAMES.filter((name) => !takenBy(tenant).has(name));
  if (free.length < 2) throw new Error(`tenant ${tenant} has a platform of nearly every service`);
  return [free[0] as string, free[1] as string];
}

/** A config as a gRPC message carries it (additional_data as a Struct). */
function grpcConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { additional_data: additional, ...rest } = config;
  return additional === undefined
    ? rest
    : { ...rest, additional_data: toStruct(additional as Record<string, unknown>) };
}

function requestFor(caller: Caller, operation: Operation, world: World): Request {
  const own = caller.startsWith('other-') ? world.tenantB : world.tenantA;
  const other = own === world.tenantA ? world.tenantB : world.tenantA;
  const register = (tenant: string, service: 'free' | 'outlook', secret: string): Request => {
    // Each transport registers a service of its own, so that both can succeed.
    const [restService, grpcService] =
      service === 'outlook' ? [service, service] : freeServices(tenant);
    const body = (name: string) => ({
      tenant_id: tenant,
      service_name: name,
      config: validConfig(name, { client_secret: secret }),
    });
    const grpcBody = body(grpcService);
    return {
      rest: (client) => client.post(API).send(body(restService)),
      grpc: ['RegisterPlatform', { ...grpcBody, config: grpcConfig(grpcBody.config) }],
      comparable: false,
      registers: { tenant, rest: restService, grpc: grpcService },
    };
  };
  const target = { platform_id: world.target };
  switch (operation) {
    case 'register own':
      return register(own, 'free', 'parity-secret');
    case 'register other':
      return register(other, 'free', 'parity-secret');
    case 'register own, service already registered':
      return register(own, 'outlook', 'parity-secret');
    case 'register own, empty client_secret':
      return register(own, 'free', '');
    case 'register other, empty client_secret':
      return register(other, 'free', '');
    case 'get target':
      return {
        rest: (client) => client.get(`${API}/${world.target}`),
        grpc: ['GetPlatform', target],
        comparable: true,
      };
    case 'get unknown id':
      return {
        rest: (client) => client.get(`${API}/${UNKNOWN_ID}`),
        grpc: ['GetPlatform', { platform_id: UNKNOWN_ID }],
        comparable: true,
      };
    case 'get malformed id':
      return {
        rest: (client) => client.get(`${API}/not-a-uuid`),
        grpc: ['GetPlatform', { platform_id: 'not-a-uuid' }],
        comparable: true,
      };
    case 'update target': {
      const label = `parity-${++counter}`;
      const config = { client_id: guidOf(label) };
      return {
        rest: (client) => client.put(`${API}/${world.target}`).send({ config }),
        grpc: ['UpdatePlatform', { ...target, config: { client_id: guidOf(`${label}-g`) } }],
        comparable: false,
      };
    }
    case 'update target, stale version':
      return {
        rest: (client) =>
          client
            .put(`${API}/${world.target}`)
            .send({ config: { client_id: guidOf('x') }, version: 999999 }),
        grpc: [
          'UpdatePlatform',
          { ...target, config: { client_id: guidOf('x') }, version: 999999 },
        ],
        comparable: true,
      };
    case 'update target, empty client_secret':
      return {
        rest: (client) =>
          client.put(`${API}/${world.target}`).send({ config: { client_secret: '' } }),
        grpc: ['UpdatePlatform', { ...target, config: { client_secret: '' } }],
        comparable: true,
      };
    case 'deactivate target':
      return {
        rest: (client) => client.post(`${API}/${world.target}/deactivate`),
        grpc: ['DeactivatePlatform', target],
        comparable: false,
      };
    case 'activate target':
      return {
        rest: (client) => client.post(`${API}/${world.target}/activate`),
        grpc: ['ActivatePlatform', target],
        comparable: false,
      };
    case 'list own':
      return {
        rest: (client) => client.get(API).query({ tenant_id: own }),
        grpc: ['ListPlatforms', { tenant_id: own }],
        comparable: true,
      };
    case 'list other':
      return {
        rest: (client) => client.get(API).query({ tenant_id: other }),
        grpc: ['ListPlatforms', { tenant_id: other }],
        comparable: true,
      };
    case 'list default tenant':
      // A platform admin lists every tenant here: other test files write meanwhile.
      return {
        rest: (client) => client.get(API),
        grpc: ['ListPlatforms', {}],
        comparable: caller !== 'platform-admin',
      };
    case 'list other, limit 0':
      return {
        rest: (client) => client.get(API).query({ tenant_id: other, limit: 0 }),
        grpc: ['ListPlatforms', { tenant_id: other, limit: 0 }],
        comparable: true,
      };
  }
}

/** A gRPC answer as the REST API's JSON (Structs → objects, no synthetic oneof members). */
function asRestJson(method: RpcMethod, value: Record<string, unknown>): unknown {
  if (method === 'ListPlatforms') {
    const list = value as { platforms: Record<string, unknown>[]; next_cursor?: string };
    return {
      platforms: list.platforms.map((platform) => platformAsJson(platform)),
      next_cursor: list.next_cursor ?? null,
    };
  }
  return platformAsJson(value);
}

describe('REST ↔ gRPC parity (Fastify)', () => {
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;
  let world: World;

  beforeAll(async () => {
    hybrid = await startHybridTestApp('fastify');
    client = createPlatformClient(hybrid.address);
    const tenantA = newTenantId();
    const tenantB = newTenantId();
    const { platform } = await registerPlatform(hybrid.app, tenantA, { service_name: 'outlook' });
    await registerPlatform(hybrid.app, tenantB, { service_name: 'outlook' });
    world = { tenantA, tenantB, target: platform.id };
  });
  afterAll(async () => {
    client?.close();
    await hybrid?.app.close();
  });

  const rows = (Object.keys(TABLE) as Caller[]).flatMap((caller) =>
    OPERATIONS.map((operation) => [caller, operation, TABLE[caller][operation]] as const),
  );

  it('the table covers every caller × operation (and every management RPC)', () => {
    expect(rows).toHaveLength(8 * OPERATIONS.length);
    const methods = new Set(
      OPERATIONS.map((operation) => requestFor('platform-admin', operation, world).grpc[0]),
    );
    expect([...methods].sort()).toEqual([
      'ActivatePlatform',
      'DeactivatePlatform',
      'GetPlatform',
      'ListPlatforms',
      'RegisterPlatform',
      'UpdatePlatform',
    ]);
  });

  it.each(rows)('%s × %s → %s on both transports', async (caller, operation, expected) => {
    const request = requestFor(caller, operation, world);
    const claims = claimsOf(caller, world);
    const token = claims === null ? null : tokenFor(claims);

    const rest = await request.rest(http(hybrid.app, { token }));
    const [method, message] = request.grpc;
    const grpc = await callRpc(client, method, message, { token });
    if (request.registers !== undefined) {
      const { tenant, rest: restService, grpc: grpcService } = request.registers;
      if (rest.status === 201) takenBy(tenant).add(restService);
      if (grpc.status === 'OK') takenBy(tenant).add(grpcService);
    }

    expect({
      caller,
      operation,
      rest: OUTCOME_OF_HTTP[rest.status] ?? `HTTP ${rest.status}`,
      grpc: grpc.status,
    }).toEqual({ caller, operation, rest: expected, grpc: expected });

    if (expected === 'OK') {
      if (request.comparable) {
        expect(asRestJson(method, grpc.value as Record<string, unknown>)).toEqual(rest.body);
      }
      expect(JSON.stringify(grpc.value)).not.toContain('parity-secret');
      return;
    }
    const body = rest.body as {
      code: string;
      message: string;
      details: { field: string; message: string }[];
    };
    expect({
      code: grpc.errorCode,
      message: grpc.error?.details,
      fields: grpc.rich?.fieldViolations,
    }).toEqual({
      code: body.code,
      message: body.message,
      fields: body.details.map((detail) => ({ field: detail.field, description: detail.message })),
    });
  });
});
