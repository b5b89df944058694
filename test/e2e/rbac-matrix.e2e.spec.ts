import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import type { TokenRequest } from '../support/auth';
import { BUILT_IN_SERVICE_NAMES, guidOf, newTenantId, validConfig } from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import { API, http, registerPlatform, startListeningApp } from './e2e-helpers';

/**
 * Role × operation × tenant: the expected status of every cell, and zero data of another tenant
 * in any 2xx body. Tenant A owns the target platform; "B" actors belong to another tenant.
 */
type Caller =
  | 'anonymous'
  | 'platform-admin'
  | 'tenant-admin'
  | 'tenant-viewer'
  | 'integration'
  | 'other-tenant-admin'
  | 'other-tenant-viewer';

type Operation =
  | 'register-own'
  | 'register-other'
  | 'get'
  | 'update'
  | 'deactivate'
  | 'activate'
  | 'list-own'
  | 'list-other'
  | 'list-default'
  | 'audit';

const CALLERS: readonly Caller[] = [
  'anonymous',
  'platform-admin',
  'tenant-admin',
  'tenant-viewer',
  'integration',
  'other-tenant-admin',
  'other-tenant-viewer',
];
const OPERATIONS: readonly Operation[] = [
  'register-own',
  'register-other',
  'get',
  'update',
  'deactivate',
  'activate',
  'list-own',
  'list-other',
  'list-default',
  'audit',
];

/** The contract, as a table: caller → operation → status. "own" = the caller's tenant. */
const EXPECTED: Record<Caller, Record<Operation, number>> = {
  anonymous: {
    'register-own': 401,
    'register-other': 401,
    get: 401,
    update: 401,
    deactivate: 401,
    activate: 401,
    'list-own': 401,
    'list-other': 401,
    'list-default': 401,
    audit: 401,
  },
  'platform-admin': {
    'register-own': 201,
    'register-other': 201,
    get: 200,
    update: 200,
    deactivate: 200,
    activate: 200,
    'list-own': 200,
    'list-other': 200,
    'list-default': 200,
    audit: 200,
  },
  'tenant-admin': {
    'register-own': 201,
    'register-other': 403,
    get: 200,
    update: 200,
    deactivate: 200,
    activate: 200,
    'list-own': 200,
    'list-other': 403,
    'list-default': 200,
    audit: 200,
  },
  'tenant-viewer': {
    'register-own': 403,
    'register-other': 403,
    get: 200,
    update: 403,
    deactivate: 403,
    activate: 403,
    'list-own': 200,
    'list-other': 403,
    'list-default': 200,
    audit: 403,
  },
  integration: {
    'register-own': 403,
    'register-other': 403,
    get: 403,
    update: 403,
    deactivate: 403,
    activate: 403,
    'list-own': 403,
    'list-other': 403,
    'list-default': 403,
    audit: 403,
  },
  // Another tenant's admin/viewer: tenant A's platform does not exist for them (404).
  'other-tenant-admin': {
    'register-own': 201,
    'register-other': 403,
    get: 404,
    update: 404,
    deactivate: 404,
    activate: 404,
    'list-own': 200,
    'list-other': 403,
    'list-default': 200,
    audit: 404,
  },
  'other-tenant-viewer': {
    'register-own': 403,
    'register-other': 403,
    get: 404,
    update: 403,
    deactivate: 403,
    activate: 403,
    'list-own': 200,
    'list-other': 403,
    'list-default': 200,
    audit: 403,
  },
};

interface World {
  tenantA: string;
  tenantB: string;
  platformA: string;
}

function tokenOf(caller: Caller, world: World): TokenRequest | null {
  switch (caller) {
    case 'anonymous':
      return null;
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

/** The caller's own tenant (A for platform admins). */
function ownTenant(caller: Caller, world: World): string {
  return caller.startsWith('other-') ? world.tenantB : world.tenantA;
}

let counter = 0;

/** The services each tenant has a platform of (one per service and tenant, 10 built in). */
const taken = new Map<string, Set<string>>();

/** A built-in service the tenant has no platform of yet (newWorld registers outlook). */
function freeService(tenant: string): string {
  const used = taken.get(tenant) ?? new Set(['outlook']);
  taken.set(tenant, used);
  const free = BUILT_IN_SERVICE_NAMES.find((name) => !used.has(name));
  if (free === undefined) throw new Error(`tenant ${tenant} has a platform of every service`);
  return free;
}

function perform(app: INestApplication, caller: Caller, operation: Operation, world: World) {
  const as = tokenOf(caller, world);
  const client = as === null ? http(app, { token: null }) : http(app, { as });
  const own = ownTenant(caller, world);
  const other = own === world.tenantA ? world.tenantB : world.tenantA;
  const register = (tenant: string) => {
    const service = freeService(tenant);
    return client
      .post(API)
      .send({
        tenant_id: tenant,
        service_name: service,
        config: validConfig(service, { client_secret: 'matrix-secret' }),
      })
      .then((res) => {
        if (res.status === 201) taken.get(tenant)?.add(service);
        return res;
      });
  };
  switch (operation) {
    case 'register-own':
      return register(own);
    case 'register-other':
      return register(other);
    case 'get':
      return client.get(`${API}/${world.platformA}`);
    case 'update':
      return client
        .put(`${API}/${world.platformA}`)
        .send({ config: { client_id: guidOf(`c${++counter}`) } });
    case 'deactivate':
      return client.post(`${API}/${world.platformA}/deactivate`);
    case 'activate':
      return client.post(`${API}/${world.platformA}/activate`);
    case 'list-own':
      return client.get(API).query({ tenant_id: own });
    case 'list-other':
      return client.get(API).query({ tenant_id: other });
    case 'list-default':
      return client.get(API);
    case 'audit':
      return client.get(`${API}/${world.platformA}/audit`);
  }
}

/**
 * Every tenant id a body mentions (platform answers, change answers, lists). A configuration's
 * own `tenant_id` is the provider's directory tenant (Teams, Outlook), not one of ours: skipped.
 */
function tenantsIn(body: unknown): string[] {
  const found: string[] = [];
  JSON.stringify(body, (key, value: unknown) => {
    if (key === 'config' && typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).filter(([field]) => field !== 'tenant_id'));
    }
    if (key === 'tenant_id' && typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value)) {
      found.push(value);
    }
    return value;
  });
  return found;
}

describe.each(PLATFORMS)('RBAC matrix (%s)', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startListeningApp(platform);
  });
  afterAll(async () => {
    await app.close();
  });

  async function newWorld(): Promise<World> {
    const tenantA = newTenantId();
    const tenantB = newTenantId();
    const { platform: created } = await registerPlatform(app, tenantA, { service_name: 'outlook' });
    await registerPlatform(app, tenantB, { service_name: 'outlook' });
    return { tenantA, tenantB, platformA: created.id };
  }

  async function check(caller: Caller, operation: Operation, world: World): Promise<void> {
    const res = await perform(app, caller, operation, world);
    expect({ caller, operation, status: res.status }).toEqual({
      caller,
      operation,
      status: EXPECTED[caller][operation],
    });
    if (res.status < 300 && caller !== 'platform-admin') {
      const own = ownTenant(caller, world);
      expect(tenantsIn(res.body).filter((tenant) => tenant !== own)).toEqual([]);
    }
    if (res.status >= 400) expect(res.body.code).toEqual(expect.any(String));
    expect(res.text).not.toContain('matrix-secret');
  }

  const cells = CALLERS.flatMap((caller) =>
    OPERATIONS.map((operation) => [caller, operation] as const),
  );

  it.each(cells)('%s × %s', async (caller, operation) => {
    await check(caller, operation, await newWorld());
  });

  it('random sequences of callers and operations on shared tenants keep to the table', async () => {
    const world = await newWorld();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CALLERS),
        fc.constantFrom(...OPERATIONS),
        async (caller, operation) => {
          // Deactivate/activate/update are idempotent for the status they answer, so the world
          // can be shared across runs; list answers must never leak another tenant's rows.
          await check(caller, operation, world);
        },
      ),
      { numRuns: 60 },
    );
  });
});
