import { randomUUID } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { Client } from 'pg';
import {
  canarySecret,
  guidOf,
  newTenantId,
  OUTLOOK_CLIENT_ID,
  validConfig,
} from '../support/fixtures';
import { callRpc, createPlatformClient, type PlatformServiceClient } from '../support/grpc-client';
import { platformAdminToken } from '../support/auth';
import { startHybridTestApp, type HybridTestApp } from '../support/test-app';
import { IdempotencyKeyPruner } from '../../src/service-platform/application/idempotency/idempotency-key.pruner';
import { API, expectErrorBody, http, registerPlatform } from './e2e-helpers';

/**
 * Issue 10, item 8: idempotent writes over REST (`Idempotency-Key`) and gRPC
 * (`idempotency-key` metadata). A replay answers what the first request answered (status, body,
 * ETag) and changes nothing: no new version, no second audit entry or event.
 */
describe('idempotent writes (REST and gRPC)', () => {
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;
  let sql: Client;

  beforeAll(async () => {
    hybrid = await startHybridTestApp('fastify');
    client = createPlatformClient(hybrid.address);
    sql = new Client({ connectionString: process.env.DATABASE_URL });
    await sql.connect();
  });
  afterAll(async () => {
    client?.close();
    await sql?.end();
    await hybrid?.app.close();
  });

  const app = () => hybrid.app;

  async function countOf(query: string, values: unknown[]): Promise<number> {
    const { rows } = await sql.query<{ n: string }>(query, values);
    return Number(rows[0]?.n);
  }
  const platformsOf = (tenantId: string) =>
    countOf('SELECT count(*) AS n FROM service_platforms WHERE tenant_id = $1', [tenantId]);
  const eventsOf = (platformId: string) =>
    countOf('SELECT count(*) AS n FROM outbox_events WHERE platform_id = $1', [platformId]);
  const versionOf = async (platformId: string) =>
    countOf('SELECT version AS n FROM service_platforms WHERE id = $1', [platformId]);

  function registration(tenantId: string, secret = canarySecret('idem')) {
    return {
      tenant_id: tenantId,
      service_name: 'outlook',
      config: {
        client_id: OUTLOOK_CLIENT_ID,
        client_secret: secret,
        tenant_id: 'contoso.onmicrosoft.com',
      },
    };
  }

  it('POST /platforms: the same key and body replays the 201, body and all; one row, one event', async () => {
    const tenantId = newTenantId();
    const key = randomUUID();
    const body = registration(tenantId);
    const first = await http(app()).post(API).set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(201);
    const again = await http(app()).post(API).set('Idempotency-Key', key).send(body);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await platformsOf(tenantId)).toBe(1);
    expect(await eventsOf((first.body as { platform: { id: string } }).platform.id)).toBe(1);
    // No secret is stored with the key: the answer is masked, the request only hashed.
    const stored = await sql.query('SELECT * FROM idempotency_keys WHERE key = $1', [key]);
    expect(JSON.stringify(stored.rows)).not.toContain(body.config.client_secret);
    // Without a key, the same body is a second registration: 409.
    expectErrorBody(await http(app()).post(API).send(body), 409, 'PLATFORM_ALREADY_EXISTS');
  });

  it('the same key with a different request: 422 IDEMPOTENCY_KEY_REUSED, nothing written', async () => {
    const key = randomUUID();
    const tenantId = newTenantId();
    expect(
      (await http(app()).post(API).set('Idempotency-Key', key).send(registration(tenantId))).status,
    ).toBe(201);
    // Another secret is another request, even though nothing else differs.
    const other = await http(app())
      .post(API)
      .set('Idempotency-Key', key)
      .send(registration(tenantId));
    expectErrorBody(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    const elsewhere = newTenantId();
    expectErrorBody(
      await http(app()).post(API).set('Idempotency-Key', key).send(registration(elsewhere)),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(await platformsOf(elsewhere)).toBe(0);
  });

  it('PUT replays status, body and ETag; the version moves once', async () => {
    const { platform } = await registerPlatform(app(), newTenantId());
    const key = randomUUID();
    const send = () =>
      http(app())
        .put(`${API}/${platform.id}`)
        .set('Idempotency-Key', key)
        .set('If-Match', '"1"')
        .send({ config: { client_id: guidOf('changed') } });
    const first = await send();
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.headers.etag).toBe('"2"');
    expect(again.body).toEqual(first.body);
    expect(await versionOf(platform.id)).toBe(2);
    expect(await eventsOf(platform.id)).toBe(2); // registered + updated, once
  });

  it('deactivate and activate: each replays its own answer and changes nothing twice', async () => {
    const { platform } = await registerPlatform(app(), newTenantId());
    const off = randomUUID();
    const first = await http(app())
      .post(`${API}/${platform.id}/deactivate`)
      .set('Idempotency-Key', off);
    const on = randomUUID();
    await http(app()).post(`${API}/${platform.id}/activate`).set('Idempotency-Key', on);
    // A late retry of the deactivation replays "deactivated" (version 2); it does not deactivate again.
    const retry = await http(app())
      .post(`${API}/${platform.id}/deactivate`)
      .set('Idempotency-Key', off);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect((await http(app()).get(`${API}/${platform.id}`)).body).toMatchObject({
      is_active: true,
      version: 3,
    });
    // The same key on another operation is another request.
    expectErrorBody(
      await http(app()).post(`${API}/${platform.id}/activate`).set('Idempotency-Key', off),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('keys are scoped per tenant and actor: another actor’s same key is its own', async () => {
    const tenantId = newTenantId();
    const key = randomUUID();
    const alice = { sub: 'alice', tenantId, roles: ['tenant-admin'] };
    const bob = { sub: 'bob', tenantId, roles: ['tenant-admin'] };
    const first = await http(app(), { as: alice })
      .post(API)
      .set('Idempotency-Key', key)
      .send(registration(tenantId));
    expect(first.status).toBe(201);
    // Bob's key is not Alice's: his request runs (and finds the slot taken).
    const bobs = await http(app(), { as: bob })
      .post(API)
      .set('Idempotency-Key', key)
      .send({
        ...registration(tenantId),
        service_name: 'gmail',
        config: validConfig('gmail'),
      });
    expect(bobs.status).toBe(201);
    expect(await platformsOf(tenantId)).toBe(2);
  });

  it('two at once with one key: one runs, the other gets its answer or 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    const tenantId = newTenantId();
    const key = randomUUID();
    const body = registration(tenantId);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => http(app()).post(API).set('Idempotency-Key', key).send(body)),
    );
    const created = answers.filter((res) => res.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const res of answers) {
      if (res.status === 201) expect(res.body).toEqual(created[0]?.body);
      else expectErrorBody(res, 409, 'IDEMPOTENCY_IN_PROGRESS');
    }
    expect(await platformsOf(tenantId)).toBe(1);
  });

  it('while the first request still runs, the second waits at most 5 s, then 409; later ones replay', async () => {
    const tenantId = newTenantId();
    const key = randomUUID();
    const body = registration(tenantId);
    // Hold the lock a new tenant's first write takes: the first request stops after claiming the key.
    const holder = new Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `data-key:${tenantId}`,
      ]);
      const first = http(app())
        .post(API)
        .set('Idempotency-Key', key)
        .send(body)
        .then((res) => res);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      const second = await http(app()).post(API).set('Idempotency-Key', key).send(body);
      expectErrorBody(second, 409, 'IDEMPOTENCY_IN_PROGRESS');
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
      await holder.query('COMMIT');
      expect((await first).status).toBe(201);
      const third = await http(app()).post(API).set('Idempotency-Key', key).send(body);
      expect(third.status).toBe(201);
      expect(third.body).toEqual((await first).body);
    } finally {
      await holder.end();
    }
    expect(await platformsOf(tenantId)).toBe(1);
  }, 20_000);

  it('a key is forgotten after its lifetime, and pruned', async () => {
    const tenantId = newTenantId();
    const key = randomUUID();
    await http(app()).post(API).set('Idempotency-Key', key).send(registration(tenantId));
    await sql.query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    // Forgotten: the request runs again (and finds the slot taken this time).
    expectErrorBody(
      await http(app()).post(API).set('Idempotency-Key', key).send(registration(tenantId)),
      409,
      'PLATFORM_ALREADY_EXISTS',
    );
    const other = randomUUID();
    await http(app()).post(API).set('Idempotency-Key', other).send(registration(newTenantId()));
    await sql.query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1",
      [other],
    );
    expect(await hybrid.app.get(IdempotencyKeyPruner).prune()).toBeGreaterThanOrEqual(1);
    expect(
      await countOf('SELECT count(*) AS n FROM idempotency_keys WHERE key = $1', [other]),
    ).toBe(0);
  });

  it.each([
    ['too long', 'k'.repeat(256)],
    ['not ASCII', 'café'],
  ])(
    'an idempotency key that is %s: 400 VALIDATION_FAILED, nothing written',
    async (_name, key) => {
      const tenantId = newTenantId();
      const res = await http(app())
        .post(API)
        .set('Idempotency-Key', key)
        .send(registration(tenantId));
      const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(error.details).toEqual([
        { field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' },
      ]);
      expect(await platformsOf(tenantId)).toBe(0);
    },
  );

  describe('gRPC (`idempotency-key` metadata)', () => {
    function withKey(key: string): Metadata {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${platformAdminToken()}`);
      metadata.set('idempotency-key', key);
      return metadata;
    }

    function call<T>(
      method: 'RegisterPlatform' | 'DeactivatePlatform',
      request: object,
      key: string,
    ) {
      return new Promise<{ code: number; value?: T; details?: string }>((resolve) => {
        (
          client[method] as (
            r: object,
            m: Metadata,
            cb: (e: { code: number; details: string } | null, v?: T) => void,
          ) => void
        ).call(client, request, withKey(key), (error, value) =>
          resolve(
            error === null
              ? { code: 0, ...(value !== undefined && { value }) }
              : { code: error.code, details: error.details },
          ),
        );
      });
    }

    it('RegisterPlatform replays; another request with the key is FAILED_PRECONDITION', async () => {
      const tenantId = newTenantId();
      const key = randomUUID();
      const request = {
        tenant_id: tenantId,
        service_name: 'outlook',
        config: validConfig('outlook', { client_secret: canarySecret('grpc-idem') }),
      };
      const first = await call<{ platform: { id: string; version: number } }>(
        'RegisterPlatform',
        request,
        key,
      );
      expect(first.code).toBe(0);
      const again = await call<{ platform: { id: string } }>('RegisterPlatform', request, key);
      expect(again.code).toBe(0);
      expect(again.value?.platform.id).toBe(first.value?.platform.id);
      expect(await platformsOf(tenantId)).toBe(1);
      const other = await call('RegisterPlatform', { ...request, service_name: 'gmail' }, key);
      expect(other.code).toBe(9); // FAILED_PRECONDITION
      // The same key over REST with the same request replays it too.
      const rest = await http(app()).post(API).set('Idempotency-Key', key).send(request);
      expect(rest.status).toBe(201);
      expect((rest.body as { platform: { id: string } }).platform.id).toBe(
        first.value?.platform.id,
      );
    });

    it('DeactivatePlatform with a key runs once', async () => {
      const { platform } = await registerPlatform(app(), newTenantId());
      const key = randomUUID();
      expect((await call('DeactivatePlatform', { platform_id: platform.id }, key)).code).toBe(0);
      expect((await call('DeactivatePlatform', { platform_id: platform.id }, key)).code).toBe(0);
      expect(await versionOf(platform.id)).toBe(2);
      const outcome = await callRpc(client, 'GetPlatform', { platform_id: platform.id });
      expect(outcome.value).toMatchObject({ is_active: false, version: 2 });
    });
  });
});
