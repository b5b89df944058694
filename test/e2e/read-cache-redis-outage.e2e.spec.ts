import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { PlatformViewCache } from '../../src/service-platform/application/ports/platform-view-cache.port';
import { guidOf, newTenantId } from '../support/fixtures';
import { TcpProxy } from '../support/tcp-proxy';
import { API, http, registerPlatform } from './e2e-helpers';
import { startEventsEnvironment, type EventsEnvironment } from './events/events-harness';
import { viewEntryInRedis } from '../support/redis-view';
import { describeWithRedis } from '../support/suite-requirements';

/**
 * Redis goes silent (every connection stalls, data kept) while a platform changes: neither the
 * writer's refresh nor any instance's invalidation reaches it, so Redis still holds the old view.
 * Once Redis answers again the instances replay what it missed, and the old view is gone: it
 * cannot come back when the instances' memory copies expire.
 */
describeWithRedis('read cache: Redis silent during a change', () => {
  let env: EventsEnvironment;
  let proxy: TcpProxy;
  let witness: Redis;
  let apps: [INestApplication, INestApplication];

  beforeAll(async () => {
    env = await startEventsEnvironment('cacheout');
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: env.redis.port });
    const viaProxy = { REDIS_URL: `redis://127.0.0.1:${proxy.port}` };
    apps = [await env.startApp('fastify', viaProxy), await env.startApp('express', viaProxy)];
    witness = new Redis(env.redis.url);
  }, 60_000);

  afterAll(async () => {
    witness?.disconnect();
    await env?.close();
    await proxy?.close();
  });

  /** The cached version Redis holds for the platform (NaN when none) and its floor. */
  async function inRedis(id: string): Promise<{ v: number; floor: number }> {
    const entry = await viewEntryInRedis(witness, id);
    return { v: entry?.v ?? Number.NaN, floor: entry?.floor ?? Number.NaN };
  }

  it('replays the missed invalidation, so the old view is not served again', async () => {
    const [a, b] = apps;
    const { platform } = await registerPlatform(a, newTenantId());
    expect((await http(b).get(`${API}/${platform.id}`)).status).toBe(200);
    expect((await inRedis(platform.id)).v).toBe(1);

    await proxy.stall();
    const updated = await http(a)
      .put(`${API}/${platform.id}`)
      .send({ config: { client_id: guidOf('client-2') } });
    expect(updated.status).toBe(200); // Redis being silent costs a write nothing but a wait
    // Every instance answers version 2 (from PostgreSQL: Redis is left alone meanwhile).
    for (const app of apps) {
      const deadline = Date.now() + 5_000;
      let seen = 0;
      while (seen !== 2 && Date.now() < deadline) {
        seen = ((await http(app).get(`${API}/${platform.id}`)).body as { version: number }).version;
      }
      expect(seen).toBe(2);
    }
    expect((await inRedis(platform.id)).v).toBe(1); // nothing reached Redis
    // Readiness says so (and stays ready: the cache is not required).
    const health = await http(a).get('/health/ready');
    expect(health.status).toBe(200);
    expect(health.body.details.cache).toMatchObject({
      status: 'down',
      memory: 'in use',
      redis: expect.stringMatching(/^(paused|up)$/),
      pending_invalidations: 1,
    });

    await proxy.open();
    const deadline = Date.now() + 20_000;
    let state = await inRedis(platform.id);
    while (state.v === 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await inRedis(platform.id);
    }
    expect(state.v === 1).toBe(false);
    expect(state.floor).toBeGreaterThanOrEqual(2);
    // Nothing left to replay: each instance reads and writes Redis again.
    const after = await http(a).get('/health/ready');
    expect(after.body.details.cache).toMatchObject({ redis: 'up', pending_invalidations: 0 });
    for (const app of apps) {
      expect(app.get(PlatformViewCache).status().pendingInvalidations).toBe(0);
    }
  }, 60_000);
});
