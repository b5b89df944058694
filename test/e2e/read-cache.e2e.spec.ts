import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { guidOf, newTenantId } from '../support/fixtures';
import { API, MASK, http, registerPlatform, type PlatformJson } from './e2e-helpers';
import { startEventsEnvironment, type EventsEnvironment } from './events/events-harness';
import { viewKeysOf } from '../support/redis-view';
import { describeWithRedis } from '../support/suite-requirements';

/** Polls `GET /platforms/{id}` on `app` until `accept` says yes (the answer is returned). */
async function eventually(
  app: INestApplication,
  id: string,
  accept: (platform: PlatformJson) => boolean,
  timeoutMs = 5_000,
): Promise<PlatformJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await http(app).get(`${API}/${id}`);
    expect(res.status).toBe(200);
    const platform = res.body as PlatformJson;
    if (accept(platform)) return platform;
    if (Date.now() > deadline) {
      throw new Error(`still ${JSON.stringify(platform)} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every key and value the cache wrote to Redis, as one string. */
async function redisDump(redis: Redis): Promise<string> {
  const keys = await redis.keys('service-platform:view:*');
  const values = await Promise.all(keys.map((key) => redis.get(key)));
  return JSON.stringify({ keys, values });
}

/**
 * The read cache of `GET /platforms/{id}` across instances, on a database of its own: two
 * instances sharing Redis, and two with memory only. Whoever changes a platform (an instance, or
 * SQL that bumps the version), every instance answers the new version shortly after the commit
 * (PostgreSQL notifies each of them), and the writing instance at once.
 */
describeWithRedis('read cache across instances', () => {
  let env: EventsEnvironment;
  let redis: Redis;
  let shared: [INestApplication, INestApplication];
  let memoryOnly: [INestApplication, INestApplication];

  beforeAll(async () => {
    env = await startEventsEnvironment('cache');
    shared = [await env.startApp('fastify'), await env.startApp('express')];
    memoryOnly = [
      await env.startApp('fastify', { REDIS_URL: '' }),
      await env.startApp('express', { REDIS_URL: '' }),
    ];
    redis = new Redis(env.redis.url);
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await env?.close();
  });

  describe.each([
    ['sharing Redis', () => shared],
    ['in memory only', () => memoryOnly],
  ])('two instances %s', (_label, instances) => {
    it("one instance's update, deactivation and activation are seen by the other", async () => {
      const [a, b] = instances();
      const { platform } = await registerPlatform(a, newTenantId());
      // Both now hold version 1.
      await eventually(a, platform.id, (p) => p.version === 1);
      await eventually(b, platform.id, (p) => p.version === 1);

      const updated = await http(a)
        .put(`${API}/${platform.id}`)
        .send({ config: { client_id: guidOf('client-2') } });
      expect(updated.status).toBe(200);
      // The writer answers the new version at once (read your writes)...
      expect((await http(a).get(`${API}/${platform.id}`)).body).toMatchObject({
        version: 2,
        config: { client_id: guidOf('client-2') },
      });
      // ...and the other instance shortly after the commit.
      await eventually(b, platform.id, (p) => p.version === 2);

      expect((await http(b).post(`${API}/${platform.id}/deactivate`)).status).toBe(200);
      const off = await eventually(a, platform.id, (p) => p.version === 3);
      expect(off.is_active).toBe(false);
      expect((await http(a).post(`${API}/${platform.id}/activate`)).status).toBe(200);
      expect((await eventually(b, platform.id, (p) => p.version === 4)).is_active).toBe(true);
    });

    it('a change made in SQL (with a version bump) reaches every instance', async () => {
      const [a, b] = instances();
      const { platform } = await registerPlatform(a, newTenantId());
      await eventually(a, platform.id, (p) => p.version === 1);
      await eventually(b, platform.id, (p) => p.version === 1);
      // As if the writing instance had died between its commit and refreshing any cache.
      await env.sql.query(
        'UPDATE service_platforms SET is_active = false, version = version + 1 WHERE id = $1',
        [platform.id],
      );
      for (const app of [a, b]) {
        expect(await eventually(app, platform.id, (p) => p.version === 2)).toMatchObject({
          is_active: false,
        });
      }
    });
  });

  it('while an instance cannot hear changes it does not answer from its memory', async () => {
    const [a] = memoryOnly;
    const { platform } = await registerPlatform(a, newTenantId());
    await eventually(a, platform.id, (p) => p.version === 1);
    // Cut every change feed (they reconnect after a second) and change the platform meanwhile:
    // that notification is lost, yet the next read must not be the remembered version 1.
    const cut = await env.sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query = 'LISTEN service_platform_changed'`,
    );
    expect(cut.rowCount).toBeGreaterThanOrEqual(4); // one feed per instance
    await env.sql.query(
      'UPDATE service_platforms SET version = version + 1, updated_at = now() WHERE id = $1',
      [platform.id],
    );
    const res = await http(a).get(`${API}/${platform.id}`);
    expect(res.body).toMatchObject({ version: 2 });
    // And once the feed listens again, it caches and follows changes as before.
    await eventually(a, platform.id, (p) => p.version === 2);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await env.sql.query('UPDATE service_platforms SET version = version + 1 WHERE id = $1', [
      platform.id,
    ]);
    await eventually(a, platform.id, (p) => p.version === 3);
  });

  it('Redis holds masked views only: no secret, no client secret, under the namespaced keys', async () => {
    const [a, b] = shared;
    const { platform, secret } = await registerPlatform(a, newTenantId(), {
      config: {
        additional_data: {
          refresh_token: 'refresh-canary-value',
          // Not declared by outlook: a secret too. The mailbox is declared public.
          note: 'note-canary-value',
          mailbox: 'shared-mailbox@contoso.onmicrosoft.com',
        },
      },
    });
    await eventually(b, platform.id, (p) => p.version === 1);
    const dump = await redisDump(redis);
    expect(dump).toContain(platform.id);
    expect(dump).toContain(MASK);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain('refresh-canary-value');
    expect(dump).not.toContain('note-canary-value');
    expect(dump).toContain('shared-mailbox@contoso.onmicrosoft.com');
    // Namespaced by database and schema: host:port/database/schema.
    const [key, ...others] = await viewKeysOf(redis, platform.id);
    expect(others).toEqual([]);
    expect(key).toMatch(
      new RegExp(
        `^service-platform:view:v2:127\\.0\\.0\\.1:\\d+/[^/]+/service_platform::${platform.id}$`,
      ),
    );
    const ttl = await redis.ttl(key as string);
    expect(ttl).toBeGreaterThan(3_500);
    expect(ttl).toBeLessThanOrEqual(3_600);
  });

  it("a cached view is still authorized per caller: another tenant's admin gets 404", async () => {
    const [a] = shared;
    const tenant = newTenantId();
    const { platform } = await registerPlatform(a, tenant);
    await eventually(a, platform.id, (p) => p.version === 1);
    const stranger = await http(a, {
      as: { tenantId: newTenantId(), roles: ['tenant-admin'] },
    }).get(`${API}/${platform.id}`);
    expect(stranger.status).toBe(404);
    const viewer = await http(a, { as: { tenantId: tenant, roles: ['tenant-viewer'] } }).get(
      `${API}/${platform.id}`,
    );
    expect(viewer.status).toBe(200);
  });
});
