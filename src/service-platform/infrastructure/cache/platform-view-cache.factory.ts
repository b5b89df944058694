import type { PlatformViewCache } from '../../application/ports/platform-view-cache.port';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import type { RedisConnections } from '../redis/redis-connections';
import type { KeyRing } from '../crypto/key-ring';
import { CachedViewSigner } from './cached-view.signer';
import { InMemoryPlatformViewStore } from './in-memory-platform-view.store';
import {
  DEFAULT_PLATFORM_VIEW_KEY_PREFIX,
  RedisPlatformViewStore,
} from './redis-platform-view.store';
import { DisabledPlatformViewCache, TieredPlatformViewCache } from './tiered-platform-view.cache';

export const DEFAULT_CACHE_SETTINGS = {
  ttlSeconds: 3600,
  localTtlSeconds: 60,
  localMaxEntries: 10_000,
} as const;

/** Redis commands of the cache give up quickly: a slow cache is worse than none. */
const REDIS_COMMAND_TIMEOUT_MS = 250;

/**
 * The read cache the module options ask for (refused at start-up when they make no sense).
 * `namespace` (the database's `host:port/database/schema`) namespaces the Redis keys: deployments
 * on different databases (a staging copy of production, say, with the same platform ids) may
 * share one Redis without seeing each other. `keyRing` authenticates the views written to Redis
 * (`CachedViewSigner`). Redis is shared when the module has one (`options.redis`), unless
 * `cache.shared` is false.
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
  const local = new InMemoryPlatformViewStore({
    ttlMs: settings.localTtlSeconds * 1000,
    maxEntries: settings.localMaxEntries,
  });
  if (!redisConnections.configured || options.shared === false) {
    return new TieredPlatformViewCache(local);
  }
  const redis = redisConnections.open('service-platform-cache', {
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    // A command given up on is not sent again on reconnect, late and out of order: missed
    // invalidations are replayed by the cache itself, and a missed put is just a later miss.
    autoResendUnfulfilledCommands: false,
  });
  const shared = new RedisPlatformViewStore(redis, {
    signer: new CachedViewSigner(keyRing),
    ttlSeconds: settings.ttlSeconds,
    keyPrefix: `${DEFAULT_PLATFORM_VIEW_KEY_PREFIX}${namespace}:`,
  });
  // The connection is the module's: RedisConnections closes it at shutdown.
  return new TieredPlatformViewCache(local, shared, undefined, {
    distrustMs: settings.ttlSeconds * 1000,
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
