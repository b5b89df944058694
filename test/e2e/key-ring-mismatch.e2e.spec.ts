import { Logger, type INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { guidOf, newTenantId, validConfig } from '../support/fixtures';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';
import { API, expectErrorBody, http, registerPlatform, startListeningApp } from './e2e-helpers';

const ALPHA = 'alpha-key-7';
const BETA = 'beta-key-9';
const material = (byte: number): string => Buffer.alloc(32, byte).toString('base64');
const ALPHA_RING = `${ALPHA}:${material(0x41)}`;
const BETA_RING = `${BETA}:${material(0x42)}`;
/** A real rotation: the new key first, the one in use still held. */
const ROTATED_RING = `${BETA_RING},${ALPHA_RING}`;

/**
 * Issue 10, defects 1 and 7: two instances of the app on one database, one of them with a key
 * ring that cannot open the stored data. It must write nothing (503), must not break the healthy
 * one, and must name key ids only in its log and to platform admins.
 */
describe('an instance whose key ring does not fit the stored data (two apps, one database)', () => {
  let database: OwnDatabase;
  let sql: Client;
  let healthy: INestApplication;
  let misconfigured: INestApplication;
  const apps: INestApplication[] = [];

  async function start(ring: string): Promise<INestApplication> {
    const app = await startListeningApp('fastify', {
      DATABASE_URL: database.url,
      ENCRYPTION_KEYS: ring,
    });
    apps.push(app);
    return app;
  }

  /** Everything an instance could write. */
  async function snapshot(): Promise<unknown> {
    const rows = async (query: string): Promise<unknown[]> =>
      (await sql.query<Record<string, unknown>>(query)).rows;
    return {
      masterKeys: await rows('SELECT id, check_value FROM master_keys ORDER BY id'),
      dataKeys: await rows('SELECT id, master_key_id, version FROM tenant_data_keys ORDER BY id'),
      platforms: await rows(
        'SELECT id, version, is_active, data_key_id FROM service_platforms ORDER BY id',
      ),
      outbox: await rows('SELECT id FROM outbox_events ORDER BY id'),
    };
  }

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_key_ring');
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    // The healthy instance starts first on the empty database: its canary registers its key.
    healthy = await start(ALPHA_RING);
    expect((await request(healthy.getHttpServer()).get('/health/ready')).status).toBe(200);
    misconfigured = await start(BETA_RING);
  }, 60_000);

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await sql?.end();
    await dropDatabase(database);
  });

  it('before any data key exists, the misconfigured instance already refuses to register (503)', async () => {
    const before = await snapshot();
    const res = await http(misconfigured)
      .post(API)
      .send({
        tenant_id: newTenantId(),
        service_name: 'outlook',
        config: validConfig('outlook'),
      });
    const error = expectErrorBody(res, 503, 'SERVICE_UNAVAILABLE');
    expect(res.text).not.toContain(ALPHA);
    expect(res.text).not.toContain(BETA);
    expect(error.message).toMatch(/encryption keys/);
    expect(await snapshot()).toEqual(before);
  });

  describe('with data stored by the healthy instance', () => {
    let platformId: string;

    beforeAll(async () => {
      platformId = (await registerPlatform(healthy, newTenantId())).platform.id;
    });

    it('the misconfigured instance is not ready, and its probe names no key id', async () => {
      const res = await request(misconfigured.getHttpServer()).get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.text).not.toContain(ALPHA);
      expect(res.text).not.toContain(BETA);
      expect(res.text).toMatch(/the encryption keys cannot open the stored data/);
    });

    it.each([
      [
        'register a new tenant',
        (app: INestApplication) =>
          http(app)
            .post(API)
            .send({
              tenant_id: newTenantId(),
              service_name: 'gmail',
              config: validConfig('gmail'),
            }),
      ],
      [
        'update',
        (app: INestApplication) =>
          http(app)
            .put(`${API}/${platformId}`)
            .send({ config: { client_id: guidOf('changed') } }),
      ],
      ['activate', (app: INestApplication) => http(app).post(`${API}/${platformId}/activate`)],
    ])('it refuses to %s: 503 SERVICE_UNAVAILABLE, nothing written', async (_name, send) => {
      const before = await snapshot();
      const res = await send(misconfigured);
      expectErrorBody(res, 503, 'SERVICE_UNAVAILABLE');
      expect(res.text).not.toContain(ALPHA);
      expect(res.text).not.toContain(BETA);
      expect(await snapshot()).toEqual(before);
    });

    it('deactivating a platform its keys cannot open: 503 as for the other writes, nothing written', async () => {
      const before = await snapshot();
      const res = await http(misconfigured).post(`${API}/${platformId}/deactivate`);
      expectErrorBody(res, 503, 'SERVICE_UNAVAILABLE');
      expect(res.text).not.toContain(ALPHA);
      expect(await snapshot()).toEqual(before);
    });

    it('the healthy instance stays ready and keeps writing', async () => {
      expect((await request(healthy.getHttpServer()).get('/health/ready')).status).toBe(200);
      const res = await http(healthy)
        .put(`${API}/${platformId}`)
        .send({ config: { client_id: guidOf('x') } });
      expect(res.status).toBe(200);
      await registerPlatform(healthy, newTenantId());
      const { rows } = await sql.query('SELECT DISTINCT master_key_id AS id FROM tenant_data_keys');
      expect(rows).toEqual([{ id: ALPHA }]);
      expect((await sql.query('SELECT id FROM master_keys')).rows).toEqual([{ id: ALPHA }]);
    });

    it('a read it cannot decrypt answers 500 without naming key or data key ids', async () => {
      const res = await http(misconfigured).get(`${API}/${platformId}`);
      const error = expectErrorBody(res, 500, 'CONFIG_DECRYPTION_FAILED');
      expect(res.text).not.toContain(ALPHA);
      expect(res.text).not.toMatch(/data key/);
      expect(error.message).toBe('The stored platform configuration cannot be decrypted');
    });

    it('platform admins read the key ids in the readiness details; others may not', async () => {
      const details = await http(misconfigured).get('/api/v1/health/details');
      expect(details.status).toBe(200);
      expect(details.body).toMatchObject({ ready: false, encryption: { up: false } });
      expect((details.body as { encryption: { detail: string } }).encryption.detail).toContain(
        ALPHA,
      );
      const viewer = await http(misconfigured, {
        as: { tenantId: newTenantId(), roles: ['tenant-admin'] },
      }).get('/api/v1/health/details');
      expectErrorBody(viewer, 403, 'FORBIDDEN');
      expect(viewer.text).not.toContain(ALPHA);
      expectErrorBody(
        await http(misconfigured, { token: null }).get('/api/v1/health/details'),
        401,
      );
    });

    it('the key ids go to the log (once per change of the reason), never key material', async () => {
      // Apps of one process share the first one's pino root: watch the Nest logger instead.
      const logged = jest.spyOn(Logger.prototype, 'error');
      try {
        const other = await start(BETA_RING);
        await request(other.getHttpServer()).get('/health/ready');
        await request(other.getHttpServer()).get('/health/ready');
        const lines = logged.mock.calls.map((call) => String(call[0]));
        expect(lines.filter((line) => line.includes(ALPHA)).length).toBeGreaterThan(0);
        expect(lines.filter((line) => line.startsWith('Encryption not ready'))).toHaveLength(1);
        expect(lines.join('\n')).not.toContain(material(0x42));
      } finally {
        logged.mockRestore();
      }
    });

    it('a real rotation (the new key added to a ring holding the old one) may register the new id', async () => {
      const rotating = await start(ROTATED_RING);
      expect((await request(rotating.getHttpServer()).get('/health/ready')).status).toBe(200);
      await registerPlatform(rotating, newTenantId());
      const { rows } = await sql.query<{ id: string }>('SELECT id FROM master_keys ORDER BY id');
      expect(rows.map((row) => row.id)).toEqual([ALPHA, BETA]);
      // Still nothing for the instance holding only the new key: the old one is in use.
      const res = await http(misconfigured)
        .post(API)
        .send({
          tenant_id: newTenantId(),
          service_name: 'outlook',
          config: validConfig('outlook'),
        });
      expectErrorBody(res, 503, 'SERVICE_UNAVAILABLE');
    });

    it('the kill switch still works where the ring falls short: deactivate 200, activate 503', async () => {
      // Since the rotation above, a data key is wrapped under BETA: the ALPHA-only instance no
      // longer holds every key id in use, yet it still opens (and resolves) ALPHA's platforms.
      const refused = await http(healthy)
        .post(API)
        .send({ tenant_id: newTenantId(), service_name: 'gmail', config: validConfig('gmail') });
      expectErrorBody(refused, 503, 'SERVICE_UNAVAILABLE');
      expect((await http(healthy).get(`${API}/${platformId}`)).status).toBe(200);

      const res = await http(healthy).post(`${API}/${platformId}/deactivate`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, platform: { is_active: false } });
      const stored = await sql.query('SELECT is_active FROM service_platforms WHERE id = $1', [
        platformId,
      ]);
      expect(stored.rows).toEqual([{ is_active: false }]);
      // Its event (and through it the audit entry) is committed with the change.
      const events = await sql.query(
        "SELECT 1 FROM outbox_events WHERE platform_id = $1 AND event_type = 'platform.deactivated'",
        [platformId],
      );
      expect(events.rows).toHaveLength(1);

      // Opening it again is a write this instance may not make.
      const before = await snapshot();
      expectErrorBody(
        await http(healthy).post(`${API}/${platformId}/activate`),
        503,
        'SERVICE_UNAVAILABLE',
      );
      expect(await snapshot()).toEqual(before);
    });
  });
});
