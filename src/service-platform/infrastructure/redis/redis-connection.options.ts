import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from a `redis://[[user]:password@]host[:port][/db]` URL (`rediss://` for TLS),
 * for the module's own connections: a command fails fast while Redis is down (no offline queue,
 * a command timeout) instead of hanging, and the client keeps reconnecting in the background.
 */
export function redisConnectionOptions(url: string, optionName = 'redis.url'): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${optionName} must be a redis:// or rediss:// URL`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`${optionName} must be a redis:// or rediss:// URL`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new Error(`${optionName}: the path must be a database number (e.g. redis://host:6379/0)`);
  }
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username !== '' && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password !== '' && { password: decodeURIComponent(parsed.password) }),
    ...(db !== '' && { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' && { tls: {} }),
    ...FAIL_FAST,
  };
}

/** What the module's own connections do while Redis is away. */
export const FAIL_FAST: RedisOptions = {
  connectTimeout: 2_000,
  commandTimeout: 2_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  // Keep reconnecting in the background, once a second.
  retryStrategy: () => 1_000,
};
