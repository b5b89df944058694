import { createKeyv as createMemoryKeyv } from '@cacheable/memory';
import { createKeyv as createRedisKeyv, type RedisClientOptions } from '@keyv/redis';
import { createCache } from 'cache-manager';
import type { PlatformViewCache } from '../../application/ports/platform-view-cache.port';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import type { KeyRing } from '../crypto/key-ring';
import type { RedisOptions } from 'ioredis';
import type { RedisConnections } from '../redis/redis-connections';
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

/**
 * The read cache the module options ask for (refused at start-up when they make no sense), its
 * tiers on cache-manager over Keyv stores: `@cacheable/memory` (an LRU) in this process, and
 * `@keyv/redis` when the module has Redis (`options.redis`) unless `cache.shared` is false.
 * `namespace` (the database's `host:port/database/schema`) namespaces the Redis keys: deployments
 * on different databases may share one Redis without seeing each other. `keyRing` authenticates
 * the views written to Redis (`CachedViewSigner`).
 */
export function createPlatformViewCache(
  options: ServicePlatformModuleOptions['cache'],
  namespace: string,
  keyRing: KeyRing,
  redisConnections: RedisConnections,
): PlatformViewCache {
  options ??= {};
  if (options.enabled === false) return new DisabledPlatformViewCache();
  const settings = { ...DEFAULT_CACHE_SETTINGS, ...definedOnly(options) };
  for (const name of ['ttlSeconds', 'localTtlSeconds', 'localMaxEntries'] as const) {
    const value = settings[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`cache.${name} must be a positive integer (got ${String(value)})`);
    }
  }
  const local = memoryViewStore({
    ttlMs: settings.localTtlSeconds * 1000,
    maxEntries: settings.localMaxEntries,
  });
  const redis = redisConnections.clientOptions;
  if (redis === undefined || options.shared === false) return new TieredPlatformViewCache(local);
  const ttlMs = settings.ttlSeconds * 1000;
  const shared = redisViewStore(redis, {
    namespace: `${PLATFORM_VIEW_KEY_PREFIX}${namespace}`,
    ttlMs,
    signer: new CachedViewSigner(keyRing),
  });
  return new TieredPlatformViewCache(local, shared, () => shared.close(), {
    distrustMs: ttlMs,
  });
}

/** This process's tier: an LRU of at most `maxEntries` platforms, each kept `ttlMs`. */
export function memoryViewStore(settings: {
  ttlMs: number;
  maxEntries: number;
}): CacheManagerPlatformViewStore {
  return new CacheManagerPlatformViewStore(
    () =>
      createCache({
        stores: [createMemoryKeyv({ lruSize: settings.maxEntries, useClone: false })],
        ttl: settings.ttlMs,
      }),
    { name: 'memory', ttlMs: settings.ttlMs },
  );
}

/**
 * The shared tier: `@keyv/redis` on the module's Redis server (a connection of its own, closed
 * with the store), keys under `namespace`, views signed by `signer`.
 */
export function redisViewStore(
  redis: RedisOptions,
  settings: { namespace: string; ttlMs: number; signer: CachedViewSigner; timeoutMs?: number },
): CacheManagerPlatformViewStore {
  const timeoutMs = settings.timeoutMs ?? REDIS_CALL_TIMEOUT_MS;
  return new CacheManagerPlatformViewStore(
    () =>
      createCache({
        stores: [
          createRedisKeyv(redisClientOptions(redis), {
            namespace: settings.namespace,
            throwOnErrors: true,
            connectionTimeout: timeoutMs,
          }),
        ],
        ttl: settings.ttlMs,
      }),
    { name: 'Redis', ttlMs: settings.ttlMs, signer: settings.signer, timeoutMs },
  );
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
