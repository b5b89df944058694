import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { withTimeout } from '../service-platform/application/with-timeout';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * A sliding-window counter in Redis, atomic and O(1) per request: the count of the current
 * fixed window plus the previous window's count weighted by how much of it still overlaps the
 * last `ttl` ms. Server time (`TIME`), so that instances with skewed clocks agree. A request over
 * the limit is not counted; it waits until enough of the previous window has slid out.
 * KEYS[1] the throttler key; ARGV ttl (ms), limit. Returns hits, ms to expire, blocked, ms to wait.
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local index = math.floor(now / window)
local elapsed = now - index * window
local current = KEYS[1] .. ':' .. index
local previous = tonumber(redis.call('GET', KEYS[1] .. ':' .. (index - 1)) or '0')
local count = tonumber(redis.call('GET', current) or '0')
local weighted = previous * (window - elapsed) / window
if weighted + count >= limit then
  local wait = window - elapsed
  if count < limit and previous > 0 then
    wait = math.ceil(window * (1 - (limit - count) / previous)) - elapsed + 1
  end
  return {math.ceil(weighted + count), window - elapsed, 1, math.max(wait, 1)}
end
count = redis.call('INCR', current)
if count == 1 then redis.call('PEXPIRE', current, window * 2) end
return {math.ceil(weighted + count), window - elapsed, 0, 0}
`;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));
const PREFIX = 'service-platform:throttle:';

/** The rate-limit counters of every instance, in the Redis they share. */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly slide: (key: string, ttl: string, limit: string) => Promise<unknown>;

  constructor(
    /** A client of the demo app's own (the script is defined on it: EVALSHA, not EVAL). */
    redis: Redis,
    private readonly timeoutMs = 250,
  ) {
    redis.defineCommand('servicePlatformSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW });
    const command = (redis as unknown as Record<string, typeof this.slide>)
      .servicePlatformSlidingWindow as typeof this.slide;
    this.slide = command.bind(redis);
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const [hits, expiresInMs, blocked, waitMs] = (await withTimeout(
      this.slide(`${PREFIX}${key}`, String(ttl), String(limit)),
      this.timeoutMs,
      `no answer within ${this.timeoutMs} ms`,
    )) as [number, number, number, number];
    return {
      totalHits: hits,
      timeToExpire: seconds(expiresInMs),
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? Math.max(1, seconds(waitMs)) : 0,
    };
  }
}

/** While Redis is down, one warning per interval says enough. */
const WARNING_INTERVAL_MS = 30_000;

/**
 * Counts in Redis when it answers, so that N instances allow the limit once, not N times; while
 * it does not, counts in this instance (`fallback`) with a warning, and goes back to Redis when
 * it answers again. A rate limiter must never fail a request of its own.
 */
export class FailoverThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private usingFallback = false;
  private lastWarningAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly primary: RedisThrottlerStorage,
    private readonly fallback: ThrottlerStorage,
    /** Closes the Redis connection at shutdown. */
    private readonly close: () => Promise<void>,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      const record = await this.primary.increment(key, ttl, limit);
      if (this.usingFallback) {
        this.usingFallback = false;
        this.logger.log('Redis answers again: rate limits are counted across instances again');
      }
      return record;
    } catch (error) {
      const now = Date.now();
      if (!this.usingFallback || now - this.lastWarningAt >= WARNING_INTERVAL_MS) {
        this.lastWarningAt = now;
        this.logger.warn(
          `Redis is unavailable (${error instanceof Error ? error.message : String(error)}): ` +
            'rate limits are counted per instance until it answers again',
        );
      }
      this.usingFallback = true;
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
