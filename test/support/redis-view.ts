import type { Redis } from 'ioredis';

/** A cached view as the Redis tier stores it (inside Keyv's `{value, expires}` envelope). */
export interface StoredViewEntry {
  floor: number;
  v?: number;
  view?: string;
}

/** The Redis keys of a platform's cached view (one per deployment namespace). */
export function viewKeysOf(redis: Redis, platformId: string): Promise<string[]> {
  return redis.keys(`service-platform:view:v2:*::${platformId}`);
}

/** The entry Redis holds for the platform, if any. */
export async function viewEntryInRedis(
  redis: Redis,
  platformId: string,
): Promise<StoredViewEntry | undefined> {
  const [key] = await viewKeysOf(redis, platformId);
  if (key === undefined) return undefined;
  const raw = await redis.get(key);
  return raw === null ? undefined : (JSON.parse(raw) as { value: StoredViewEntry }).value;
}
