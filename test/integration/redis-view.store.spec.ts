import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ServicePlatformDict } from '../../src/service-platform/domain/service-platform.entity';
import type { CacheManagerPlatformViewStore } from '../../src/service-platform/infrastructure/cache/cache-manager-platform-view.store';
import {
  CachedViewSigner,
  signedViewData,
} from '../../src/service-platform/infrastructure/cache/cached-view.signer';
import {
  PLATFORM_VIEW_KEY_PREFIX,
  redisViewStore,
} from '../../src/service-platform/infrastructure/cache/platform-view-cache.factory';
import { KeyRing } from '../../src/service-platform/infrastructure/crypto/key-ring';
import { ThrowAwayRedis } from '../support/redis-server';
import { TcpProxy } from '../support/tcp-proxy';
import { describeWithRedis } from '../support/suite-requirements';

const TTL_MS = 3_600_000;
const NAMESPACE = 'test:platform-view';

/** A masked view as `toDict()` gives it. */
function viewOf(id: string, version: number, clientId = `client-${version}`): ServicePlatformDict {
  return {
    id,
    tenant_id: randomUUID(),
    service_name: 'outlook',
    config: {
      client_id: clientId,
      client_secret: '********',
      additional_data: { redirect_uri: 'https://app.example.com/callback', scopes: ['a', 'b'] },
    },
    is_active: version % 2 === 1,
    version,
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: new Date(Date.UTC(2024, 0, 1, 0, 0, version)).toISOString(),
  };
}

/** How long `action` took, in ms. */
async function elapsed(action: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await action();
  return Date.now() - started;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The Redis tier of the platform view cache (cache-manager + @keyv/redis), on a throw-away redis-server. */

/** The test key ring (two keys, `test-2` primary), as the app's. */
const ring = KeyRing.parse(process.env.ENCRYPTION_KEYS as string);
const signer = new CachedViewSigner(ring);

/** What @keyv/redis keeps for a platform: Keyv's JSON envelope `{value, expires}`. */
interface Envelope {
  value: { floor: number; v?: number; view?: string; kid?: string; mac?: string };
  expires?: number;
}

describeWithRedis(
  'the Redis tier of the read cache',
  () => {
    let server: ThrowAwayRedis;
    let client: Redis;
    let store: CacheManagerPlatformViewStore;
    let warn: jest.SpyInstance;
    let log: jest.SpyInstance;
    const stores: CacheManagerPlatformViewStore[] = [];

    const storeOn = (port: number, namespace = NAMESPACE): CacheManagerPlatformViewStore => {
      const made = redisViewStore(
        { host: '127.0.0.1', port },
        { namespace, ttlMs: TTL_MS, signer },
      );
      stores.push(made);
      return made;
    };
    const keyOf = (id: string, namespace = NAMESPACE) => `${namespace}::${id}`;
    const envelope = async (id: string): Promise<Envelope> =>
      JSON.parse((await client.get(keyOf(id))) as string) as Envelope;
    const rewrite = (id: string, value: object) =>
      client.set(keyOf(id), JSON.stringify({ value }), 'PX', TTL_MS);

    beforeAll(async () => {
      server = await ThrowAwayRedis.start();
      client = new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      await until(() => client.status === 'ready');
    });

    afterAll(async () => {
      await Promise.all(stores.map((made) => made.close()));
      client?.disconnect();
      await server?.stop();
    });

    beforeEach(() => {
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      store = storeOn(server.port);
    });

    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('gives back the view it was given', async () => {
      const view = viewOf(randomUUID(), 3);
      await store.put(view);
      await expect(store.get(view.id)).resolves.toEqual(view);
      await expect(store.get(randomUUID())).resolves.toBeUndefined();
    });

    it('does not replace a view with an older or equal version', async () => {
      const id = randomUUID();
      const current = viewOf(id, 2, 'current');
      await store.put(current);
      await store.put(viewOf(id, 1, 'older'));
      await store.put(viewOf(id, 2, 'same version, other content'));
      await expect(store.get(id)).resolves.toEqual(current);

      const newer = viewOf(id, 3, 'newer');
      await store.put(newer);
      await expect(store.get(id)).resolves.toEqual(newer);
    });

    it('drops views older than an invalidation and refuses them afterwards', async () => {
      const id = randomUUID();
      await store.put(viewOf(id, 1));
      await store.invalidate(id, 2);
      await expect(store.get(id)).resolves.toBeUndefined();

      await store.put(viewOf(id, 1, 'slow reader'));
      await expect(store.get(id)).resolves.toBeUndefined();

      const atFloor = viewOf(id, 2);
      await store.put(atFloor);
      await expect(store.get(id)).resolves.toEqual(atFloor);
      // Invalidating at (or below) the cached version keeps it.
      await store.invalidate(id, 2);
      await store.invalidate(id, 1);
      await expect(store.get(id)).resolves.toEqual(atFloor);
    });

    it('remembers an invalidation of a platform it held nothing of, and never lowers the floor', async () => {
      const id = randomUUID();
      await store.invalidate(id, 5);
      await store.invalidate(id, 3);
      await store.put(viewOf(id, 4));
      await expect(store.get(id)).resolves.toBeUndefined();
      const newest = viewOf(id, 6);
      await store.put(newest);
      await expect(store.get(id)).resolves.toEqual(newest);
    });

    it('sets the TTL on every put and invalidation, and keeps its keys under its namespace', async () => {
      const id = randomUUID();
      await store.put(viewOf(id, 1));
      expect(await client.pttl(keyOf(id))).toBeGreaterThan(TTL_MS - 60_000);
      await client.pexpire(keyOf(id), 10_000);
      await store.put(viewOf(id, 2));
      expect(await client.pttl(keyOf(id))).toBeGreaterThan(TTL_MS - 60_000);
      await client.pexpire(keyOf(id), 10_000);
      await store.invalidate(id, 3);
      expect(await client.pttl(keyOf(id))).toBeGreaterThan(TTL_MS - 60_000);

      const other = storeOn(server.port, 'test:other-view');
      await expect(other.get(id)).resolves.toBeUndefined();
      await other.put(viewOf(id, 9));
      expect(await client.exists(keyOf(id, 'test:other-view'))).toBe(1);
      expect(PLATFORM_VIEW_KEY_PREFIX).toBe('service-platform:view:v2:');
    });

    it('a view that does not verify is a miss: forged, edited, unsigned or signed by a foreign key', async () => {
      const id = randomUUID();
      await store.put(viewOf(id, 1));
      await expect(store.get(id)).resolves.toMatchObject({ id, version: 1 });
      const stored = (await envelope(id)).value;
      // Someone with Redis access moves the view to another tenant, keeping the old MAC.
      const otherTenant = { ...JSON.parse(stored.view as string), tenant_id: randomUUID() };
      await rewrite(id, { ...stored, view: JSON.stringify(otherTenant) });
      await expect(store.get(id)).resolves.toBeUndefined();
      // ... or signs with a key that is not in the ring, or drops the MAC, or stores an object.
      const foreign = new CachedViewSigner(
        KeyRing.parse(`test-2:${Buffer.alloc(32, 9).toString('base64')}`),
      );
      await rewrite(id, {
        ...stored,
        ...foreign.sign(signedViewData(id, '1', stored.view as string)),
      });
      await expect(store.get(id)).resolves.toBeUndefined();
      await rewrite(id, { floor: 0, v: 1, view: stored.view });
      await expect(store.get(id)).resolves.toBeUndefined();
      await rewrite(id, { floor: 0, v: 1, view: JSON.parse(stored.view as string) as object });
      await expect(store.get(id)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalled();
    });

    it('any key of the ring verifies: instances mid-rotation read each other', async () => {
      const id = randomUUID();
      const rotated = new CachedViewSigner(
        KeyRing.parse(`test-1:${Buffer.alloc(32, 1).toString('base64')}`),
      );
      const view = JSON.stringify(viewOf(id, 1));
      await rewrite(id, { floor: 0, v: 1, view, ...rotated.sign(signedViewData(id, '1', view)) });
      await expect(store.get(id)).resolves.toMatchObject({ id, version: 1 });
    });

    it('treats a malformed entry as a miss, and keeps it out of the log', async () => {
      const secretish = `canary-${randomUUID()}`;
      const cases: { v?: number; floor?: number; view: string }[] = [
        { v: 1, view: `{"not json ${secretish}` },
        { v: 1, view: JSON.stringify({ ...viewOf(randomUUID(), 1), note: secretish }) }, // other id
        { v: 2, view: JSON.stringify(viewOf('', 1)) }, // other version
        { v: 1, view: JSON.stringify({ id: '', version: 1, secretish }) }, // not a view
        { v: 1, view: JSON.stringify([secretish]) },
        { v: 1, floor: 2, view: JSON.stringify(viewOf('', 1)) }, // below its floor
        { view: JSON.stringify(viewOf('', 1)) }, // no version
      ];
      /** Writes an entry by hand (`"id":""` becoming the platform's id); returns the id. */
      async function written(entry: (typeof cases)[number]): Promise<string> {
        const id = randomUUID();
        const view = entry.view.replace('"id":""', `"id":"${id}"`);
        // Signed like the store signs, so that what is tested is the shape, not the MAC.
        const signature =
          entry.v === undefined ? {} : signer.sign(signedViewData(id, String(entry.v), view));
        await rewrite(id, { floor: entry.floor ?? 0, ...entry, view, ...signature });
        return id;
      }
      // The control: written the same way, but well formed.
      const control = await written({ v: 1, view: JSON.stringify(viewOf('', 1)) });
      await expect(store.get(control)).resolves.toMatchObject({ id: control, version: 1 });
      for (const entry of cases) {
        await expect(store.get(await written(entry))).resolves.toBeUndefined();
      }
      // Not even Keyv's envelope.
      const id = randomUUID();
      await client.set(keyOf(id), secretish);
      await expect(store.get(id)).resolves.toBeUndefined();

      const logged = JSON.stringify([...warn.mock.calls, ...log.mock.calls]);
      expect(logged).not.toContain(secretish);
      expect(warn).toHaveBeenCalledTimes(1); // one per interval
    });

    it('answers a miss and skips writes, quickly, while Redis is down, then works again', async () => {
      const id = randomUUID();
      const cached = viewOf(id, 1);
      await store.put(cached);

      await server.stop();
      try {
        for (let round = 0; round < 3; round++) {
          let got: ServicePlatformDict | undefined = cached;
          expect(await elapsed(async () => (got = await store.get(id)))).toBeLessThan(2_000);
          expect(got).toBeUndefined();
          expect(await elapsed(() => store.put(viewOf(id, 2 + round)))).toBeLessThan(2_000);
          expect(await elapsed(() => store.invalidate(id, 2 + round))).toBeLessThan(2_000);
        }
        // Nine failures, one warning.
        expect(warn).toHaveBeenCalledTimes(1);
        expect(warn.mock.calls[0]?.[0]).toMatch(/Redis cache \w+ failed/);
      } finally {
        await server.resume();
      }

      await until(async () => (await client.ping().catch(() => '')) === 'PONG');
      // The restarted server kept nothing; the store's own client reconnects by itself.
      const after = viewOf(id, 7);
      await until(async () => (await store.put(after)) === true);
      await expect(store.get(id)).resolves.toEqual(after);
      expect(log).toHaveBeenCalledWith('Redis cache reachable again');
      expect(log).toHaveBeenCalledTimes(1);
      expect(JSON.stringify(warn.mock.calls)).not.toContain('client-');
    });

    it('bounds every call itself when Redis stops answering', async () => {
      const proxy = await TcpProxy.start({ host: '127.0.0.1', port: server.port });
      try {
        const viaProxy = storeOn(proxy.port);
        const view = viewOf(randomUUID(), 1);
        await until(async () => (await viaProxy.put(view)) === true);
        await expect(viaProxy.get(view.id)).resolves.toEqual(view);

        await proxy.stall();
        let got: ServicePlatformDict | undefined = view;
        expect(await elapsed(async () => (got = await viaProxy.get(view.id)))).toBeLessThan(2_000);
        expect(got).toBeUndefined();
        expect(await elapsed(() => viaProxy.put(viewOf(view.id, 2)))).toBeLessThan(2_000);
        expect(await elapsed(() => viaProxy.invalidate(view.id, 3))).toBeLessThan(2_000);
        expect(warn).toHaveBeenCalledTimes(1);
        expect(warn.mock.calls[0]?.[0]).toMatch(/no answer within|failed/);
      } finally {
        await proxy.close();
      }
    });
  },
  { restarts: true },
);
