import type { RedisOptions } from '@nestjs/microservices';

export type RedisConnectionOptions = NonNullable<RedisOptions['options']>;

/**
 * ioredis options from a `redis://[[user]:password@]host[:port][/db]` URL (`rediss://` for TLS),
 * tuned for an outbox publisher: a command fails fast while Redis is down (no offline queue, a
 * command timeout) instead of hanging, and the client keeps reconnecting in the background.
 */
export function redisConnectionOptions(
  url: string,
  optionName = 'events.redisUrl',
): RedisConnectionOptions {
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
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Nest's client reconnects while retryAttempts last: forever, once a second.
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryDelay: 1_000,
  };
}
