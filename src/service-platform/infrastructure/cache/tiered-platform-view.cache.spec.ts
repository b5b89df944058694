import { randomUUID } from 'node:crypto';
import type { ServicePlatformDict } from '../../domain/service-platform.entity';
import { createPlatformViewCache } from './platform-view-cache.factory';
import { InMemoryPlatformViewStore } from './in-memory-platform-view.store';
import { DisabledPlatformViewCache, TieredPlatformViewCache } from './tiered-platform-view.cache';

const view = (id: string, version: number): ServicePlatformDict => ({
  id,
  tenant_id: '0b6f4c2e-8f0e-4a8e-9d59-1c1f1f1f1f1f',
  service_name: 'outlook',
  config: { client_id: `client-v${version}`, additional_data: { region: 'eu' } },
  is_active: true,
  version,
  created_at: '2026-11-26T00:00:00.000Z',
  updated_at: '2026-11-26T00:00:00.000Z',
});

const memory = () => new InMemoryPlatformViewStore({ ttlMs: 60_000, maxEntries: 100 });

describe('TieredPlatformViewCache', () => {
  const id = randomUUID();

  it('uses its memory only between resumeLocal() and suspendLocal(), which empties it', async () => {
    const cache = new TieredPlatformViewCache(memory());
    await cache.put(view(id, 1));
    expect(await cache.get(id)).toBeUndefined(); // the change feed is not listening yet
    cache.resumeLocal();
    await cache.put(view(id, 1));
    expect(await cache.get(id)).toEqual(view(id, 1));
    cache.suspendLocal();
    expect(await cache.get(id)).toBeUndefined();
    cache.resumeLocal();
    expect(await cache.get(id)).toBeUndefined(); // starts empty
  });

  it('copies a shared hit into memory, where local floors still win', async () => {
    const shared = memory();
    const cache = new TieredPlatformViewCache(memory(), shared);
    cache.resumeLocal();
    await shared.put(view(id, 1));
    const spy = jest.spyOn(shared, 'get');
    expect((await cache.get(id))?.version).toBe(1);
    expect((await cache.get(id))?.version).toBe(1);
    expect(spy).toHaveBeenCalledTimes(1);

    const other = randomUUID();
    await shared.put(view(other, 1));
    // This process knows of version 2 (say, a notification) while the shared tier is stale.
    await cache.invalidate(other, 2);
    await shared.put(view(other, 1)); // what a lagging writer could leave there
    expect(await cache.get(other)).toBeUndefined();
  });

  it('writes and invalidations reach both tiers; the shared tier serves while memory is off', async () => {
    const shared = memory();
    const cache = new TieredPlatformViewCache(memory(), shared);
    await cache.put(view(id, 1));
    expect((await shared.get(id))?.version).toBe(1);
    expect((await cache.get(id))?.version).toBe(1);
    await cache.invalidate(id, 2);
    expect(await shared.get(id)).toBeUndefined();
  });

  it('cached views are frozen: no caller can change what the next one gets', async () => {
    const cache = new TieredPlatformViewCache(memory());
    cache.resumeLocal();
    await cache.put(view(id, 1));
    const cached = (await cache.get(id)) as ServicePlatformDict;
    expect(Object.isFrozen(cached)).toBe(true);
    expect(Object.isFrozen(cached.config)).toBe(true);
    expect(Object.isFrozen(cached.config.additional_data)).toBe(true);
  });

  it('releases the shared connection at shutdown', async () => {
    const release = jest.fn(() => Promise.resolve());
    await new TieredPlatformViewCache(memory(), memory(), release).onApplicationShutdown();
    expect(release).toHaveBeenCalledTimes(1);
  });
});

describe('createPlatformViewCache (module options)', () => {
  it('is on by default, off with enabled: false', async () => {
    expect(createPlatformViewCache()).toBeInstanceOf(TieredPlatformViewCache);
    const off = createPlatformViewCache({ enabled: false });
    expect(off).toBeInstanceOf(DisabledPlatformViewCache);
    await off.put(view(randomUUID(), 1));
    off.resumeLocal();
    expect(await off.get(randomUUID())).toBeUndefined();
  });

  it.each([
    [{ ttlSeconds: 0 }, /cache.ttlSeconds must be a positive integer/],
    [{ localTtlSeconds: 1.5 }, /cache.localTtlSeconds must be a positive integer/],
    [{ localMaxEntries: -1 }, /cache.localMaxEntries must be a positive integer/],
    [{ redisUrl: 'http://cache' }, /cache.redisUrl must be a redis:\/\/ or rediss:\/\/ URL/],
  ])('refuses %j', (options, message) => {
    expect(() => createPlatformViewCache(options)).toThrow(message);
  });
});
