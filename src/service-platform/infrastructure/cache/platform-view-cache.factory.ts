import { Redis } from 'ioredis';
import type { PlatformViewCache } from '../../application/ports/platform-view-cache.port';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import { redisConnectionOptions } from '../events/redis-connection.options';
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
 * `databaseUrl` namespaces the Redis keys: deployments on different databases (a staging copy of
 * production, say, with the same platform ids) may share one Redis without seeing each other.
 * `keyRing` authenticates the views written to Redis (`CachedViewSigner`).
 */
export function createPlatformViewCache(
  options: ServicePlatformModuleOptions['cache'],
  databaseUrl: string,
  keyRing: KeyRing,
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
  const redisUrl = options.redisUrl;
  if (redisUrl === undefined || redisUrl === '') return new TieredPlatformViewCache(local);

  // `retryAttempts`/`retryDelay` are Nest's transport settings; plain ioredis takes a strategy.
  const { retryAttempts, retryDelay, ...connection } = redisConnectionOptions(
    redisUrl,
    'cache.redisUrl',
  );
  void retryAttempts;
  const redis = new Redis({
    ...connection,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    // A command given up on is not sent again on reconnect, late and out of order: missed
    // invalidations are replayed by the cache itself, and a missed put is just a later miss.
    autoResendUnfulfilledCommands: false,
    // Keep reconnecting in the background; meanwhile commands fail at once (no offline queue).
    retryStrategy: () => retryDelay ?? 1_000,
  });
  // Failures are reported by the store (rate-limited); an unheard 'error' event would be logged
  // by ioredis on every reconnect attempt.
  redis.on('error', () => undefined);
  const shared = new RedisPlatformViewStore(redis, {
    signer: new CachedViewSigner(keyRing),
    ttlSeconds: settings.ttlSeconds,
    keyPrefix: `${DEFAULT_PLATFORM_VIEW_KEY_PREFIX}${databaseNamespace(databaseUrl)}:`,
  });
  return new TieredPlatformViewCache(
    local,
    shared,
    async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
    { distrustMs: settings.ttlSeconds * 1000 },
  );
}

/** `host:port/database/schema` of a PostgreSQL URL (no credentials). */
export function databaseNamespace(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    const schema = url.searchParams.get('schema') ?? 'public';
    return `${url.hostname}:${url.port === '' ? '5432' : url.port}/${database}/${schema}`;
  } catch {
    return 'default';
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
