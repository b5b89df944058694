import { randomUUID } from 'node:crypto';
import type { ServicePlatformDict } from '../../domain/service-platform.entity';
import { createPlatformViewCache } from './platform-view-cache.factory';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { Logger } from '@nestjs/common';
import { KeyRing } from '../crypto/key-ring';
import { localTierOptions, memoryViewStore } from './platform-view-cache.factory';
import type { PlatformViewStore } from './platform-view.store';
import { CacheManagerPlatformViewStore } from './cache-manager-platform-view.store';
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

const RING = KeyRing.parse(`k1:${Buffer.alloc(32, 1).toString('base64')}`);

const memory = () => memoryViewStore({ ttlMs: 60_000, maxEntries: 100 });

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
    cache.catchUp([]);
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

  it('a view the caller may not see is a miss at every tier, and is not copied into memory', async () => {
    const shared = memory();
    const cache = new TieredPlatformViewCache(memory(), shared);
    cache.catchUp([]);
    cache.resumeLocal();
    const hidden = () => false;
    const sharedReads = jest.spyOn(shared, 'get');

    // Only in the shared tier: read there, refused, not copied.
    await shared.put(view(id, 1));
    expect(await cache.get(id, hidden)).toBeUndefined();
    expect(sharedReads).toHaveBeenCalledTimes(1);
    // In memory too: the memory hit is refused and the shared tier is asked, as for an unknown id.
    expect(await cache.get(id)).toEqual(view(id, 1));
    sharedReads.mockClear();
    expect(await cache.get(id, hidden)).toBeUndefined();
    expect(await cache.get(randomUUID(), hidden)).toBeUndefined();
    expect(sharedReads).toHaveBeenCalledTimes(2);
  });

  it('writes and invalidations reach both tiers; the shared tier serves while memory is off', async () => {
    const shared = memory();
    const cache = new TieredPlatformViewCache(memory(), shared);
    cache.catchUp([]);
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

/** A shared tier that can be taken down: `put`/`invalidate` then answer false. */
class FlakyStore implements PlatformViewStore {
  down = false;
  calls = 0;
  private readonly store = memoryViewStore({ ttlMs: 3_600_000, maxEntries: 1_000 });

  get(platformId: string): Promise<ServicePlatformDict | undefined> {
    this.calls++;
    return this.down ? Promise.resolve(undefined) : this.store.get(platformId);
  }

  put(view: ServicePlatformDict): Promise<boolean> {
    this.calls++;
    return this.down ? Promise.resolve(false) : this.store.put(view);
  }

  invalidate(platformId: string, version: number): Promise<boolean> {
    this.calls++;
    return this.down ? Promise.resolve(false) : this.store.invalidate(platformId, version);
  }
}

describe('TieredPlatformViewCache when the shared tier misses a write', () => {
  const id = randomUUID();

  function setUp(maxPending = 100) {
    const clock = { now: 1_000_000 };
    const shared = new FlakyStore();
    const cache = new TieredPlatformViewCache(memory(), shared, undefined, {
      pauseMs: 2_000,
      maxPending,
      distrustMs: 3_600_000,
      now: () => clock.now,
    });
    cache.catchUp([]);
    return { clock, shared, cache };
  }

  afterEach(() => jest.useRealTimers());

  it('remembers the version, skips the stale shared view, and replays once Redis is back', async () => {
    const { clock, shared, cache } = setUp();
    await cache.put(view(id, 1));
    shared.down = true;
    await cache.invalidate(id, 2); // lost: Redis still holds version 1
    shared.down = false;
    expect((await shared.get(id))?.version).toBe(1);
    expect(cache.status().pendingInvalidations).toBe(1);
    // Not read from the shared tier meanwhile: a miss, so the caller reads the database.
    expect(await cache.get(id)).toBeUndefined();

    clock.now += 2_001;
    await cache.replay();
    expect(cache.status().pendingInvalidations).toBe(0);
    expect(await shared.get(id)).toBeUndefined(); // version 1 dropped, floor at 2
    await cache.put(view(id, 1));
    expect(await shared.get(id)).toBeUndefined();
    await cache.put(view(id, 2));
    expect((await cache.get(id))?.version).toBe(2);
  });

  it("a failed put only pauses the shared tier: the change's invalidation is what gets replayed", async () => {
    const { clock, shared, cache } = setUp();
    await cache.put(view(id, 1));
    shared.down = true;
    await cache.put(view(id, 2)); // the writer's refresh after its commit
    expect(cache.status().pendingInvalidations).toBe(0);
    expect(cache.status().shared).toBe('paused');
    await cache.invalidate(id, 2); // its change feed hears the commit
    expect(cache.status().pendingInvalidations).toBe(1);
    shared.down = false;
    clock.now += 2_001;
    await cache.replay();
    expect(await shared.get(id)).toBeUndefined();
  });

  it('a newer version remembered while a replay runs is kept for the next one', async () => {
    const { clock, shared, cache } = setUp();
    shared.down = true;
    await cache.invalidate(id, 2);
    shared.down = false;
    clock.now += 2_001;
    const invalidate = shared.invalidate.bind(shared);
    jest.spyOn(shared, 'invalidate').mockImplementationOnce(async (platformId, version) => {
      const done = await invalidate(platformId, version);
      await cache.invalidate(id, 3); // arrives mid-replay; id is still pending, so remembered
      return done;
    });
    await cache.replay();
    expect(cache.status().pendingInvalidations).toBe(1);
    await cache.replay();
    expect(cache.status().pendingInvalidations).toBe(0);
    await shared.put(view(id, 2));
    expect(await shared.get(id)).toBeUndefined(); // the floor is 3
  });

  it('one replay at a time, and none after shutdown', async () => {
    const { clock, shared, cache } = setUp();
    shared.down = true;
    await cache.invalidate(id, 2);
    await cache.invalidate(randomUUID(), 2);
    shared.down = false;
    clock.now += 2_001;
    const calls = shared.calls;
    await Promise.all([cache.replay(), cache.replay()]);
    expect(shared.calls - calls).toBe(2);
    shared.down = true;
    await cache.invalidate(randomUUID(), 2);
    await cache.onApplicationShutdown();
    shared.down = false;
    const afterShutdown = shared.calls;
    await cache.invalidate(randomUUID(), 2);
    await cache.put(view(randomUUID(), 1));
    clock.now += 10_000;
    await cache.replay();
    expect(shared.calls).toBe(afterShutdown);
  });

  it('a shared answer that began before the memory tier was reset is not copied into it', async () => {
    const { shared, cache } = setUp();
    cache.resumeLocal();
    await shared.put(view(id, 1));
    const get = shared.get.bind(shared);
    jest.spyOn(shared, 'get').mockImplementationOnce(async (platformId) => {
      const answer = await get(platformId);
      cache.suspendLocal(); // the change feed drops and comes back meanwhile
      cache.resumeLocal();
      return answer;
    });
    expect((await cache.get(id))?.version).toBe(1); // answered, but not kept
    jest.spyOn(shared, 'get').mockResolvedValueOnce(undefined);
    expect(await cache.get(id)).toBeUndefined();
  });

  it('after a failure requests leave the shared tier alone for pauseMs', async () => {
    const { clock, shared, cache } = setUp();
    shared.down = true;
    await cache.invalidate(id, 2);
    const calls = shared.calls;
    const other = randomUUID();
    await cache.get(other);
    await cache.put(view(other, 1));
    await cache.invalidate(other, 2);
    expect(shared.calls).toBe(calls);
    expect(cache.status().pendingInvalidations).toBe(2);
    clock.now += 2_001;
    await cache.get(randomUUID());
    expect(shared.calls).toBe(calls + 1);
  });

  it('too many missed invalidations: the shared tier is not read until its entries expired', async () => {
    const { clock, shared, cache } = setUp(2);
    await shared.put(view(id, 1));
    shared.down = true;
    for (let i = 0; i < 3; i++) await cache.invalidate(randomUUID(), 2);
    shared.down = false;
    clock.now += 2_001;
    expect(await cache.get(id)).toBeUndefined();
    clock.now += 3_600_000;
    expect((await cache.get(id))?.version).toBe(1);
  });

  it('replays on its own, on a timer', async () => {
    jest.useFakeTimers();
    const shared = new FlakyStore();
    const cache = new TieredPlatformViewCache(memory(), shared, undefined, { pauseMs: 50 });
    cache.catchUp([]);
    await cache.put(view(id, 1));
    shared.down = true;
    await cache.invalidate(id, 2);
    shared.down = false;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(cache.status().pendingInvalidations).toBe(0);
    expect(await shared.get(id)).toBeUndefined();
    await cache.onApplicationShutdown();
  });
});

describe('TieredPlatformViewCache.catchUp()', () => {
  it('the shared tier is not read before it, and older views of recent changes are dropped', async () => {
    const id = randomUUID();
    const untouched = randomUUID();
    const shared = memory();
    await shared.put(view(id, 1)); // left by a writer that died before refreshing it
    await shared.put(view(untouched, 4));
    const cache = new TieredPlatformViewCache(memory(), shared, undefined, { pauseMs: 0 });
    expect(cache.sharedWindowMs()).toBe(3_600_000);
    expect(cache.status().shared).toBe('catching up');
    expect(await cache.get(untouched)).toBeUndefined();

    cache.catchUp([{ platformId: id, version: 2 }]);
    expect(cache.status().shared).toBe('up');
    expect(await cache.get(id)).toBeUndefined(); // pending: not read from the shared tier
    expect((await cache.get(untouched))?.version).toBe(4);
    await cache.replay();
    expect(await shared.get(id)).toBeUndefined();
    expect(cache.status().pendingInvalidations).toBe(0);
    await cache.onApplicationShutdown();
  });

  it('without a shared tier there is nothing to catch up', () => {
    expect(new TieredPlatformViewCache(memory()).sharedWindowMs()).toBe(0);
  });
});

describe('TieredPlatformViewCache.mark()', () => {
  it('a view read before the memory tier was reset is not kept in memory', async () => {
    const id = randomUUID();
    const cache = new TieredPlatformViewCache(memory());
    cache.resumeLocal();
    const mark = cache.mark(); // a read starts...
    cache.suspendLocal(); // ...the change feed drops and comes back...
    cache.resumeLocal();
    await cache.put(view(id, 1), mark); // ...and the slow read's row arrives
    expect(await cache.get(id)).toBeUndefined();
    await cache.put(view(id, 1), cache.mark());
    expect((await cache.get(id))?.version).toBe(1);
  });
});

/** No Redis configured: the module's two caches, the shared one idle. */
const NO_REDIS = { local: createCache(), shared: createCache(), sharedTier: false };

describe('createPlatformViewCache (module options)', () => {
  it('is on by default, off with enabled: false', async () => {
    expect(createPlatformViewCache(undefined, RING, NO_REDIS)).toBeInstanceOf(
      TieredPlatformViewCache,
    );
    const off = createPlatformViewCache({ enabled: false }, RING, NO_REDIS);
    expect(off).toBeInstanceOf(DisabledPlatformViewCache);
    await off.put(view(randomUUID(), 1));
    off.resumeLocal();
    expect(await off.get(randomUUID())).toBeUndefined();
  });

  it('a cache turned off has no settings to check', () => {
    const off = { enabled: false, ttlSeconds: 0 };
    expect(createPlatformViewCache(off, RING, NO_REDIS)).toBeInstanceOf(DisabledPlatformViewCache);
    expect(localTierOptions(off)).toEqual({});
  });

  it.each([
    [{ ttlSeconds: 0 }, /cache.ttlSeconds must be a positive integer/],
    [{ localTtlSeconds: 1.5 }, /cache.localTtlSeconds must be a positive integer/],
    [{ localMaxEntries: -1 }, /cache.localMaxEntries must be a positive integer/],
  ])('refuses %j', (options, message) => {
    expect(() => createPlatformViewCache(options, RING, NO_REDIS)).toThrow(message);
  });
});

describe('TieredPlatformViewCache heals the shared tier after a change', () => {
  // The shared store reads an entry and writes it back, with no compare-and-set: a read-through
  // put of a view read before a commit can land after the commit's invalidation (found in
  // review). The change's invalidation is sent once more, before this process's floors expire.
  const id = randomUUID();

  function setUp() {
    const raw = createCache(localTierOptions({ localTtlSeconds: 3_600, localMaxEntries: 100 }));
    const shared = new CacheManagerPlatformViewStore(raw, { name: 'Redis', ttlMs: 3_600_000 });
    const cache = new TieredPlatformViewCache(memory(), shared, undefined, {
      healAfterMs: 30_000,
    });
    cache.catchUp([]);
    /** What a lagging writer's late SET leaves, whatever the floor said when it read. */
    const lateWrite = (version: number) =>
      raw.set(id, { floor: 0, v: version, view: view(id, version) }, 3_600_000);
    return { shared, cache, lateWrite };
  }

  afterEach(() => jest.useRealTimers());

  it('an older view written back after the invalidation is dropped by the second one', async () => {
    jest.useFakeTimers();
    const { shared, cache, lateWrite } = setUp();
    await cache.invalidate(id, 2);
    await lateWrite(1);
    expect((await shared.get(id))?.version).toBe(1); // the lost update
    await jest.advanceTimersByTimeAsync(29_000);
    expect((await shared.get(id))?.version).toBe(1);
    await jest.advanceTimersByTimeAsync(1_100);
    expect(await shared.get(id)).toBeUndefined();
    await cache.put(view(id, 1));
    expect(await shared.get(id)).toBeUndefined(); // the floor is back at 2
    await cache.onApplicationShutdown();
  });

  it('keeps a current view; a later change postpones the heal and takes its version', async () => {
    jest.useFakeTimers();
    const { shared, cache, lateWrite } = setUp();
    await cache.invalidate(id, 2);
    await cache.put(view(id, 2));
    await jest.advanceTimersByTimeAsync(20_000);
    await cache.invalidate(id, 3);
    await lateWrite(2);
    await jest.advanceTimersByTimeAsync(11_000); // the first change's heal time: postponed
    expect((await shared.get(id))?.version).toBe(2);
    await jest.advanceTimersByTimeAsync(20_000);
    expect(await shared.get(id)).toBeUndefined(); // healed to the floor of version 3
    await cache.put(view(id, 3));
    await jest.advanceTimersByTimeAsync(60_000);
    expect((await shared.get(id))?.version).toBe(3); // a current view is never dropped
    await cache.onApplicationShutdown();
  });

  it('a change arriving while heals run keeps its own heal, at its own time', async () => {
    jest.useFakeTimers();
    const { shared, cache } = setUp();
    const other = randomUUID();
    await cache.invalidate(id, 2);
    await cache.invalidate(other, 2);
    const sent: string[] = [];
    const invalidate = shared.invalidate.bind(shared);
    jest.spyOn(shared, 'invalidate').mockImplementation(async (platformId, version) => {
      sent.push(`${platformId === id ? 'id' : 'other'}@${version}`);
      // The other platform changes while this heal is on its way to Redis.
      if (platformId === id && version === 2 && sent.length === 1) await cache.invalidate(other, 3);
      return invalidate(platformId, version);
    });
    await jest.advanceTimersByTimeAsync(30_100);
    expect(sent).toEqual(['id@2', 'other@3']); // the change's own invalidation, not a heal of 2
    await jest.advanceTimersByTimeAsync(30_100);
    expect(sent).toEqual(['id@2', 'other@3', 'other@3']);
    await cache.onApplicationShutdown();
  });

  it('a heal that meets Redis down is handed to the replay of missed invalidations', async () => {
    jest.useFakeTimers();
    const shared = new FlakyStore();
    const cache = new TieredPlatformViewCache(memory(), shared, undefined, {
      pauseMs: 50,
      healAfterMs: 1_000,
    });
    cache.catchUp([]);
    await cache.invalidate(id, 2);
    shared.down = true;
    await jest.advanceTimersByTimeAsync(1_020);
    expect(cache.status().pendingInvalidations).toBe(1);
    shared.down = false;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(cache.status().pendingInvalidations).toBe(0);
    await cache.onApplicationShutdown();
  });
});

describe('CacheManagerPlatformViewStore in batches (lists)', () => {
  it('getMany and putMany keep the version rules of get and put', async () => {
    const store = memory();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await store.put(view(a, 2));
    await store.invalidate(c, 4);
    expect(await store.putMany([view(a, 1), view(b, 1), view(c, 3)])).toBe(true);
    expect(await store.getMany([a, b, c, randomUUID()])).toEqual([
      view(a, 2), // a newer version is kept
      view(b, 1),
      undefined, // below the floor: refused
      undefined,
    ]);
    expect(await store.putMany([view(a, 3), view(c, 4)])).toBe(true);
    expect(await store.getMany([c, a])).toEqual([view(c, 4), view(a, 3)]);
    expect(await store.putMany([])).toBe(true);
    expect(await store.getMany([])).toEqual([]);
  });

  it('answers misses, and writes nothing, when its store cannot be read', async () => {
    const failing = {
      get: () => Promise.reject(new Error('store down')),
      getMany: () => Promise.reject(new Error('store down')),
      set: () => Promise.reject(new Error('store down')),
      setMany: () => Promise.reject(new Error('store down')),
      delete: () => Promise.resolve(true),
      clear: () => Promise.resolve(),
    };
    const raw = createCache({ stores: [new Keyv({ store: failing as never })] });
    const store = new CacheManagerPlatformViewStore(raw, { name: 'memory', ttlMs: 60_000 });
    const [a, b] = [randomUUID(), randomUUID()];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      expect(await store.getMany([a, b])).toEqual([undefined, undefined]);
      // cache-manager answers a failed mget as misses: the store still hears of the failure.
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('memory cache read failed'));
      expect(await store.putMany([view(a, 1)])).toBe(false);
    } finally {
      warn.mockRestore();
    }
  });
});
