import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { PrismaService } from '../../src/service-platform/infrastructure/persistence/prisma.service';
import {
  BUILT_IN_SERVICE_NAMES,
  canarySecret,
  newTenantId,
  validConfig,
} from '../support/fixtures';
import { API, expectErrorBody, http, registerPlatform, startListeningApp } from './e2e-helpers';

const POOL = 2;
const CONCURRENT = POOL * 10;
const CONNECTION_TIMEOUT_MS = 1_000;

/**
 * Issue 10, item 10: ten times more concurrent requests than pooled connections, with the
 * connections held (the first write of a tenant waits on a lock the test owns). Requests wait a
 * bounded time for a connection, then answer 503 with the contract body; nothing queues up
 * (waiters and connections return to zero), and the service answers normally afterwards.
 */
describe(`pool exhaustion: ${CONCURRENT} concurrent requests on ${POOL} connections`, () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startListeningApp('fastify', {
      DATABASE_POOL_SIZE: String(POOL),
      DATABASE_CONNECTION_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function wave(): Promise<{ status: number; ms: number }[]> {
    // One platform per service and tenant: the requests are spread over as many new tenants as
    // the built-in services require, each tenant's first write held by the test's lock.
    const services = BUILT_IN_SERVICE_NAMES.length;
    const tenants = Array.from({ length: Math.ceil(CONCURRENT / services) }, () => newTenantId());
    const holder = new Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    await holder.query('BEGIN');
    for (const tenantId of tenants) {
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `data-key:${tenantId}`,
      ]);
    }
    const started = Date.now();
    const answers = Array.from({ length: CONCURRENT }, (_, i) =>
      http(app)
        .post(API)
        .send({
          tenant_id: tenants[Math.floor(i / services)],
          service_name: BUILT_IN_SERVICE_NAMES[i % services],
          config: validConfig(BUILT_IN_SERVICE_NAMES[i % services] as string, {
            client_secret: canarySecret('pool'),
          }),
        })
        .then((res) => {
          if (res.status !== 201) expectErrorBody(res, 503, 'SERVICE_UNAVAILABLE');
          return { status: res.status, ms: Date.now() - started };
        }),
    );
    // Everyone who could not get a connection has given up before the lock is released.
    await new Promise((resolve) => setTimeout(resolve, CONNECTION_TIMEOUT_MS * 2.5));
    await holder.query('COMMIT');
    await holder.end();
    return Promise.all(answers);
  }

  it('requests wait at most the connection timeout, then 503; the holders finish; it recovers', async () => {
    const prisma = app.get(PrismaService);
    for (let round = 0; round < 3; round++) {
      const outcomes = await wave();
      const refused = outcomes.filter((outcome) => outcome.status === 503);
      const created = outcomes.filter((outcome) => outcome.status === 201);
      expect(refused.length + created.length).toBe(CONCURRENT);
      // At most the pool's connections got through; the rest waited, bounded, then 503.
      expect(created.length).toBeLessThanOrEqual(POOL);
      expect(refused.length).toBeGreaterThanOrEqual(CONCURRENT - POOL);
      for (const outcome of refused) expect(outcome.ms).toBeLessThan(CONNECTION_TIMEOUT_MS * 2.5);
      // Nothing left waiting, no connection beyond the pool's size.
      expect(prisma.poolStats).toMatchObject({ waiting: 0, max: POOL });
      expect(prisma.poolStats.total).toBeLessThanOrEqual(POOL);
    }
    // Recovered: reads and writes answer normally, readiness is 200.
    const { platform } = await registerPlatform(app, newTenantId());
    expect((await http(app).get(`${API}/${platform.id}`)).status).toBe(200);
    expect((await request(app.getHttpServer()).get('/health/ready')).status).toBe(200);
  }, 60_000);
});
