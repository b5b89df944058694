import { createKeyv as createMemoryKeyv } from '@cacheable/memory';
import { createKeyv as createRedisKeyv, type RedisClientOptions } from '@keyv/redis';
import { createCache, type Cache, type CreateCacheOptions } from 'cache-manager';
import type { PlatformViewCache } from '../../application/ports/platform-view-cache.port';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import type { KeyRing } from '../crypto/key-ring';
import type { RedisOptions } from 'ioredis';
import { CacheManagerPlatformViewStore } from './cache-manager-platform-view.store';
import { CachedViewSigner } from './cached-view.signer';
import { DisabledPlatformViewCache, TieredPlatformViewCache } from './tiered-platform-view.cache';

export const DEFAULT_CACHE_SETTINGS = {
  ttlSeconds: 3600,
  localTtlSeconds: 60,
  localMaxEntries: 10_000,
} as const;

/** Namespace of the shared keys. Its `v2` is the format of what is stored: bump it with it. */
export const PLATFORM_VIEW_KEY_PREFIX = 'service-platform:view:v2:';

/** Redis calls of the cache give up quickly: a slow cache is worse than none. */
const REDIS_CALL_TIMEOUT_MS = 250;

/** The cache options, checked (refused at start-up when they make no sense) and completed. */
export function cacheSettings(options: ServicePlatformModuleOptions['cache']): {
  ttlSeconds: number;
  localTtlSeconds: number;
  localMaxEntries: number;
} {
  const settings = { ...DEFAULT_CACHE_SETTINGS, ...definedOnly(options ?? {}) };
  for (const name of ['ttlSeconds', 'localTtlSeconds', 'localMaxEntries'] as const) {
    const value = settings[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`cache.${name} must be a positive integer (got ${String(value)})`);
    }
  }
  return settings;
}

/**
 * Whether the module has a shared (Redis) tier: Redis configured, the cache on and
 * `cache.shared` not false. The one place this is decided, for the tier's `CacheModule` and
 * for the cache built on it.
 */
export function usesSharedTier(options: ServicePlatformModuleOptions): boolean {
  return (
    options.redis !== undefined &&
    options.cache?.enabled !== false &&
    options.cache?.shared !== false
  );
}

/** The memory tier's cache-manager options: `@cacheable/memory`'s LRU, holding frozen views. */
export function localTierOptions(
  options: ServicePlatformModuleOptions['cache'],
): CreateCacheOptions {
  // A cache turned off has no settings to check: an idle default cache.
  if (options?.enabled === false) return {};
  const settings = cacheSettings(options);
  return {
    // One map (the LRU bounds it anyway): no hash of every key to pick one of 16.
    stores: [
      createMemoryKeyv({ lruSize: settings.localMaxEntries, useClone: false, storeHashSize: 1 }),
    ],
    ttl: settings.localTtlSeconds * 1000,
  };
}

/**
 * The Redis tier's: `@keyv/redis` on the module's Redis server (a connection of its own, closed
 * with the cache), its keys under `namespace` (`PLATFORM_VIEW_KEY_PREFIX` and the database's
 * `host:port/database/schema`: deployments on different databases may share one Redis).
 */
export function sharedTierOptions(
  redis: RedisOptions,
  namespace: string,
  options: ServicePlatformModuleOptions['cache'],
  timeoutMs = REDIS_CALL_TIMEOUT_MS,
): CreateCacheOptions {
  return {
    stores: [
      createRedisKeyv(redisClientOptions(redis), {
        namespace,
        throwOnErrors: true,
        connectionTimeout: timeoutMs,
      }),
    ],
    ttl: cacheSettings(options).ttlSeconds * 1000,
  };
}

/**
 * The read cache the module options ask for, on its two cache-manager caches (provided by
 * `@nestjs/cache-manager`, see `platformViewCacheModules`): `local` in this process, `shared` in
 * Redis when the module has a shared tier (`usesSharedTier`). `keyRing`
 * authenticates the views written to Redis (`CachedViewSigner`).
 */
export function createPlatformViewCache(
  options: ServicePlatformModuleOptions['cache'],
  keyRing: KeyRing,
  /** `sharedTier`: `usesSharedTier(options)`; `shared` is an idle cache without it. */
  caches: { local: Cache; shared: Cache; sharedTier: boolean },
): PlatformViewCache {
  if (options?.enabled === false) return new DisabledPlatformViewCache();
  const settings = cacheSettings(options);
  const local = new CacheManagerPlatformViewStore(caches.local, {
    name: 'memory',
    ttlMs: settings.localTtlSeconds * 1000,
  });
  if (!caches.sharedTier) return new TieredPlatformViewCache(local);
  const ttlMs = settings.ttlSeconds * 1000;
  const shared = new CacheManagerPlatformViewStore(caches.shared, {
    name: 'Redis',
    ttlMs,
    signer: new CachedViewSigner(keyRing),
    timeoutMs: REDIS_CALL_TIMEOUT_MS,
  });
  return new TieredPlatformViewCache(local, shared, () => shared.close(), {
    distrustMs: ttlMs,
    // Within the life of this process's floors, which refuse an older view until then.
    healAfterMs: Math.min(30_000, Math.floor((settings.localTtlSeconds * 1000) / 2)),
  });
}

/** A memory tier made directly with cache-manager (tests): an LRU of `maxEntries`, `ttlMs` each. */
export function memoryViewStore(settings: {
  ttlMs: number;
  maxEntries: number;
}): CacheManagerPlatformViewStore {
  const cache = createCache(
    localTierOptions({
      localTtlSeconds: settings.ttlMs / 1000,
      localMaxEntries: settings.maxEntries,
    }),
  );
  return new CacheManagerPlatformViewStore(cache, { name: 'memory', ttlMs: settings.ttlMs });
}

/** A Redis tier made directly with cache-manager (tests). */
export function redisViewStore(
  redis: RedisOptions,
  settings: { namespace: string; ttlMs: number; signer: CachedViewSigner; timeoutMs?: number },
): CacheManagerPlatformViewStore {
  const timeoutMs = settings.timeoutMs ?? REDIS_CALL_TIMEOUT_MS;
  const cache = createCache(
    sharedTierOptions(redis, settings.namespace, { ttlSeconds: settings.ttlMs / 1000 }, timeoutMs),
  );
  return new CacheManagerPlatformViewStore(cache, {
    name: 'Redis',
    ttlMs: settings.ttlMs,
    signer: settings.signer,
    timeoutMs,
  });
}

/**
 * node-redis settings (`@keyv/redis`) for the server of the module's Redis option: commands fail
 * at once while it is down (no offline queue) and the client keeps reconnecting.
 */
function redisClientOptions(redis: RedisOptions): RedisClientOptions {
  return {
    ...(redis.username !== undefined && { username: redis.username }),
    ...(redis.password !== undefined && { password: redis.password }),
    database: redis.db ?? 0,
    disableOfflineQueue: true,
    socket: {
      host: redis.host ?? '127.0.0.1',
      port: redis.port ?? 6379,
      ...(redis.tls !== undefined && { tls: true }),
      connectTimeout: 1000,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
    },
    name: 'service-platform-cache',
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
