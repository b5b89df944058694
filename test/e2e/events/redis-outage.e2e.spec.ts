import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { guidOf, newTenantId, validConfig } from '../../support/fixtures';
import { TcpProxy } from '../../support/tcp-proxy';
import { API, http, registerPlatform } from '../e2e-helpers';
import {
  startEventsEnvironment,
  waitForDrainedOutbox,
  type EventsEnvironment,
} from './events-harness';
import { describeWithRedis } from '../../support/suite-requirements';

/**
 * Redis unreachable for the app (its connection goes through a proxy the test cuts; the witness
 * subscriber stays connected to Redis itself): every write still succeeds, events wait in the
 * outbox, readiness stays 200 and reports it, and once Redis is back every event arrives, each
 * platform's in version order. Zero lost.
 */
describeWithRedis('Redis outage', () => {
  let env: EventsEnvironment;
  let proxy: TcpProxy;
  let app: INestApplication;

  beforeAll(async () => {
    env = await startEventsEnvironment('outage');
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: env.redis.port });
    app = await env.startApp('fastify', { REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await env?.close();
  });

  it('500 changes while Redis is down: all written, all 500 events delivered after it is back', async () => {
    const { platform } = await registerPlatform(app, newTenantId(), {
      service_name: 'microsoft-teams',
    });
    await env.subscriber.waitFor(() => env.subscriber.of(platform.id).length === 1);
    await waitForDrainedOutbox(env.sql);

    await proxy.close();
    const before = env.subscriber.received.length;
    // 400 registrations and 100 updates of one platform, all while Redis is unreachable.
    for (let round = 0; round < 20; round++) {
      const writes = [
        ...Array.from({ length: 20 }, () =>
          http(app)
            .post(API)
            .send({
              tenant_id: newTenantId(),
              service_name: 'gmail',
              config: validConfig('gmail'),
            }),
        ),
        ...Array.from({ length: 5 }, (_, index) =>
          http(app)
            .put(`${API}/${platform.id}`)
            .send({ config: { client_id: guidOf(`client-${round}-${index}`) } }),
        ),
      ];
      const statuses = (await Promise.all(writes)).map((res) => res.status);
      expect(statuses).toEqual([...Array(20).fill(201), ...Array(5).fill(200)]);
    }

    // Nothing got through, and the app says why without declaring itself unready.
    const ready = await request(app.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(200);
    const details = (ready.body as { details: { events: Record<string, unknown> } }).details.events;
    expect(details).toMatchObject({ status: 'down', broker: 'down' });
    expect(details.outbox_pending).toBeGreaterThan(0);
    expect(env.subscriber.received.length).toBe(before);

    await proxy.open();
    await env.subscriber.waitFor(() => env.subscriber.received.length >= before + 500, 60_000);
    await waitForDrainedOutbox(env.sql);

    const delivered = env.subscriber.received.slice(before);
    expect(new Set(delivered.map((event) => event.data.event_id)).size).toBe(500);
    const { rows } = await env.sql.query<{ count: string }>('SELECT count(*) FROM outbox_events');
    expect(Number(rows[0]?.count)).toBe(501);
    // Per-platform order held through the retries.
    const versions = env.subscriber.of(platform.id).map((event) => event.data.version);
    expect(versions).toEqual(Array.from({ length: 101 }, (_, index) => index + 1));
    // The audit trail missed nothing either.
    const { rows: audit } = await env.sql.query<{ count: string }>(
      'SELECT count(*) FROM audit_log',
    );
    expect(Number(audit[0]?.count)).toBe(501);

    const after = await request(app.getHttpServer()).get('/health/ready');
    expect(
      (after.body as { details: { events: Record<string, unknown> } }).details.events,
    ).toMatchObject({
      status: 'up',
      broker: 'up',
      outbox_pending: 0,
    });
  }, 120_000);
});
