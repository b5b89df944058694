import { randomUUID } from 'node:crypto';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Client } from 'pg';
import { tokenFor } from '../support/auth';
import { BUILT_IN_SERVICE_NAMES, validConfig } from '../support/fixtures';
import {
  RPC_METHODS,
  STATUS_NAME,
  callRpc,
  createPlatformClient,
  toStruct,
  type PlatformServiceClient,
  type RpcMethod,
} from '../support/grpc-client';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';
import { startHybridTestApp, type HybridTestApp } from '../support/test-app';
import { hostileJson, hostileNumber, hostileString, sometimes, uuid } from './fuzz-inputs';

/**
 * Issue 10, item 11, gRPC half: seeded fast-check over every RPC of the committed .proto, with
 * hostile field values (and, for a share of the calls, bytes that are not a valid message at
 * all). Every answer is OK or a client-error status; never INTERNAL, UNKNOWN or UNAVAILABLE; a
 * refused write changes nothing. `FUZZ_SEED` replays a run, `FUZZ_GRPC_RUNS` sets its size.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_GRPC_RUNS ?? 2_000);

const CLIENT_ERRORS = new Set([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.ALREADY_EXISTS,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.RESOURCE_EXHAUSTED,
]);

const WRITES: ReadonlySet<RpcMethod> = new Set([
  'RegisterPlatform',
  'UpdatePlatform',
  'DeactivatePlatform',
  'ActivatePlatform',
]);

interface Call {
  method: RpcMethod;
  request: object;
  authorization?: string;
  idempotencyKey?: string;
  /** Raw bytes instead of an encoded message. */
  raw?: Buffer;
}

describe('gRPC API fuzzing (seeded fast-check)', () => {
  let database: OwnDatabase;
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;
  let sql: Client;
  const tenants = [randomUUID(), randomUUID()];
  const platformIds: string[] = [];

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_fuzz_grpc');
    hybrid = await startHybridTestApp('fastify', { DATABASE_URL: database.url });
    client = createPlatformClient(hybrid.address);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    for (const tenantId of tenants) {
      const outcome = await callRpc<{ platform: { id: string } }>(client, 'RegisterPlatform', {
        tenant_id: tenantId,
        service_name: 'outlook',
        config: validConfig('outlook'),
      });
      platformIds.push(outcome.value?.platform.id as string);
    }
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await sql?.end();
    await hybrid?.app.close();
    await dropDatabase(database);
  });

  async function fingerprint(): Promise<string> {
    const { rows } = await sql.query(`
      SELECT (SELECT count(*) FROM service_platforms) AS platforms,
             (SELECT coalesce(sum(version), 0) FROM service_platforms) AS versions,
             (SELECT count(*) FROM outbox_events) AS events,
             (SELECT count(*) FROM tenant_data_keys) AS data_keys,
             (SELECT count(*) FROM idempotency_keys) AS idempotency_keys`);
    return JSON.stringify(rows[0]);
  }

  /** A unary call with our own metadata (and raw bytes when given). */
  function call(input: Call): Promise<{ code: GrpcStatus; details: string }> {
    const metadata = new Metadata();
    if (input.authorization !== undefined) metadata.set('authorization', input.authorization);
    if (input.idempotencyKey !== undefined) metadata.set('idempotency-key', input.idempotencyKey);
    const done =
      (resolve: (value: { code: GrpcStatus; details: string }) => void) =>
      (error: ServiceError | null) =>
        resolve(
          error === null ? { code: 0, details: '' } : { code: error.code, details: error.details },
        );
    const deadline = new Date(Date.now() + 15_000);
    if (input.raw !== undefined) {
      return new Promise((resolve) => {
        client.makeUnaryRequest(
          `/serviceplatform.v1.PlatformService/${input.method}`,
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          input.raw as Buffer,
          metadata,
          { deadline },
          done(resolve),
        );
      });
    }
    const fn = client[input.method] as (
      request: object,
      metadata: Metadata,
      options: { deadline: Date },
      callback: (error: ServiceError | null) => void,
    ) => void;
    return new Promise((resolve) =>
      fn.call(client, input.request, metadata, { deadline }, done(resolve)),
    );
  }

  const text = fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 2, arbitrary: hostileString },
  );
  const id = fc.oneof(
    { weight: 3, arbitrary: fc.nat().map((i) => platformIds[i % platformIds.length] as string) },
    { weight: 2, arbitrary: uuid },
    { weight: 1, arbitrary: text },
  );
  const tenant = fc.oneof(fc.constantFrom(...tenants), uuid, text);
  const serviceName = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/), text);
  const int32 = fc.oneof(
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.constantFrom(0, -1, 1, 200, 201, 2 ** 31 - 1, -(2 ** 31)),
  );
  const struct = fc
    .dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), hostileString), hostileJson, {
      maxKeys: 4,
    })
    .map((object) =>
      toStruct(JSON.parse(JSON.stringify(object) ?? '{}') as Record<string, unknown>),
    );
  const config = fc.record(
    { client_id: text, client_secret: text, tenant_id: text, additional_data: struct },
    { requiredKeys: [] },
  );
  const patch = fc.record(
    {
      client_id: text,
      client_secret: text,
      tenant_id: text,
      additional_data: struct,
      remove_tenant_id: fc.boolean(),
      remove_additional_data: fc.boolean(),
    },
    { requiredKeys: [] },
  );

  const requestOf: Record<RpcMethod, fc.Arbitrary<object>> = {
    RegisterPlatform: fc.oneof(
      fc.record({ tenant_id: tenant, service_name: serviceName, config }, { requiredKeys: [] }),
      // A built-in service with its valid config (protobuf fields; additional_data a Struct).
      fc.tuple(fc.constantFrom(...BUILT_IN_SERVICE_NAMES), tenant).map(([service, tenantId]) => {
        const { additional_data: extra, ...fields } = validConfig(service);
        return {
          tenant_id: tenantId,
          service_name: service,
          config: {
            ...fields,
            ...(extra !== undefined && {
              additional_data: toStruct(extra as Record<string, unknown>),
            }),
          },
        };
      }),
    ),
    GetPlatform: fc.record({ platform_id: id }, { requiredKeys: [] }),
    UpdatePlatform: fc.record(
      { platform_id: id, config: patch, version: int32 },
      { requiredKeys: [] },
    ),
    DeactivatePlatform: fc.record({ platform_id: id }, { requiredKeys: [] }),
    ActivatePlatform: fc.record({ platform_id: id }, { requiredKeys: [] }),
    ListPlatforms: fc.record(
      {
        tenant_id: tenant,
        is_active: fc.boolean(),
        service_name: serviceName,
        limit: int32,
        cursor: fc.oneof(
          text,
          uuid.map((value) => Buffer.from(`v1:${value}`).toString('base64url')),
        ),
      },
      { requiredKeys: [] },
    ),
    ResolveCredentials: fc.record(
      { tenant_id: tenant, service_name: serviceName },
      { requiredKeys: [] },
    ),
    ListServices: fc.constant({}),
    GetService: fc.record(
      { name: fc.oneof(fc.constantFrom(...BUILT_IN_SERVICE_NAMES), text) },
      {
        requiredKeys: [],
      },
    ),
  };

  const authorization = fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${tokenFor({ roles: ['platform-admin'] })}`) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...tenants),
          fc.constantFrom('tenant-admin', 'tenant-viewer', 'integration'),
        )
        .map(([tenantId, role]) => `Bearer ${tokenFor({ tenantId, roles: [role] })}`),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constant(undefined),
        text.map((value) => `Bearer ${ascii(value)}`),
      ),
    },
  );

  const calls: fc.Arbitrary<Call> = fc
    .tuple(
      fc.constantFrom(...RPC_METHODS),
      authorization,
      sometimes(text.map(ascii), 5),
      sometimes(fc.uint8Array({ maxLength: 64 }), 10),
      hostileNumber,
    )
    .chain(([method, auth, key, raw]) =>
      requestOf[method].map((request) => ({
        method,
        request,
        ...(auth !== undefined && { authorization: auth }),
        ...(key !== null && key !== '' && { idempotencyKey: key }),
        ...(raw !== null && { raw: Buffer.from(raw) }),
      })),
    );

  it(`answers ${RUNS} fuzzed calls with OK or a client-error status; refused writes change nothing`, async () => {
    process.stdout.write(`\n  gRPC fuzz: seed=${SEED} cases=${RUNS}\n`);
    const statuses = new Map<string, number>();
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(calls, async (input) => {
        cases += 1;
        const write = WRITES.has(input.method);
        const before = write ? await fingerprint() : '';
        const outcome = await call(input);
        const name = STATUS_NAME[outcome.code] ?? String(outcome.code);
        statuses.set(name, (statuses.get(name) ?? 0) + 1);
        if (outcome.code !== GrpcStatus.OK && !CLIENT_ERRORS.has(outcome.code)) {
          throw new Error(`${name} (${outcome.details}) for ${JSON.stringify(input)}`);
        }
        expect(outcome.details).not.toMatch(/\n\s+at |node_modules/);
        if (write && outcome.code !== GrpcStatus.OK) expect(await fingerprint()).toBe(before);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    const counts = [...statuses].map(([status, n]) => `${status}:${n}`).join(' ');
    process.stdout.write(`  gRPC fuzz: ${cases} cases passed (seed=${SEED}) ${counts}\n`);
    expect(cases).toBeGreaterThanOrEqual(RUNS);
  }, 600_000);
});

/** Metadata values gRPC can carry (printable ASCII). */
function ascii(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '').trim();
}
