import { Logger, type INestApplication } from '@nestjs/common';
import { RATE_LIMIT_WINDOW_MS } from '../../src/auth/tenant-throttler.guard';
import { newTenantId } from '../support/fixtures';
import { ThrowAwayRedis } from '../support/redis-server';
import { describeWithRedis } from '../support/suite-requirements';
import { TcpProxy } from '../support/tcp-proxy';
import { API, http, startListeningApp } from './e2e-helpers';

/**
 * Issue 14, scale-out: with REDIS_URL the per-tenant rate limit is counted in Redis, so two
 * instances allow the limit once, not twice; while Redis does not answer each instance counts on
 * its own, with a warning, and requests are still served.
 */
describeWithRedis(
  'the rate limit across instances (Redis)',
  () => {
    const LIMIT = 6;
    let redis: ThrowAwayRedis;
    let proxy: TcpProxy;
    let apps: [INestApplication, INestApplication];

    beforeAll(async () => {
      redis = await ThrowAwayRedis.start();
      // The apps reach Redis through a proxy, so that the test can cut it.
      proxy = await TcpProxy.start({ host: '127.0.0.1', port: redis.port });
      const env = {
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
      };
      apps = [await startListeningApp('fastify', env), await startListeningApp('express', env)];
    }, 60_000);

    afterAll(async () => {
      for (const app of apps ?? []) await app.close();
      await proxy?.close();
      await redis?.stop();
    });

    /**
     * The counter is a sliding window over fixed minutes (the previous minute weighted by how much
     * of it still overlaps): a burst that straddles a minute's edge may be counted a request short.
     * Bursts start clear of an edge.
     */
    const clearOfWindowEdge = async (): Promise<void> => {
      const into = Date.now() % RATE_LIMIT_WINDOW_MS;
      if (into > RATE_LIMIT_WINDOW_MS - 10_000) {
        await new Promise((resolve) => setTimeout(resolve, RATE_LIMIT_WINDOW_MS - into + 200));
      }
    };

    const list = (app: INestApplication, tenantId: string) =>
      http(app, { as: { tenantId, roles: ['tenant-admin'] } }).get(`${API}?tenant_id=${tenantId}`);

    it('two instances share one budget per tenant: the limit holds across them', async () => {
      const [a, b] = apps;
      const tenant = newTenantId();
      await clearOfWindowEdge();
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT; i++)
        statuses.push((await list(i % 2 === 0 ? a : b, tenant)).status);
      expect(statuses).toEqual(Array<number>(LIMIT).fill(200));
      const over = await list(b, tenant);
      expect(over.status).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await list(a, tenant)).status).toBe(429);
      // Another tenant has a budget of its own.
      expect((await list(a, newTenantId())).status).toBe(200);
    });

    it('while Redis is cut, each instance counts on its own with a warning, and serves', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn');
      const [a, b] = apps;
      const tenant = newTenantId();
      await proxy.close();
      try {
        for (let i = 0; i < LIMIT; i++) expect((await list(a, tenant)).status).toBe(200);
        expect((await list(a, tenant)).status).toBe(429);
        // The other instance's own count has not been touched.
        expect((await list(b, tenant)).status).toBe(200);
        expect(warn.mock.calls.map((call) => String(call[0]))).toEqual(
          expect.arrayContaining([expect.stringMatching(/rate limits are counted per instance/)]),
        );
      } finally {
        warn.mockRestore();
        await proxy.open();
      }
    });
  },
  { restarts: true },
);
