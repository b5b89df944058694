import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

/** What a storage answers (the package does not export the type by name). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The expiry times of one key's hits, oldest first, in a ring buffer that grows by doubling:
 * appending, expiring and reading the oldest are O(1) (amortised), and memory follows the
 * hits actually in the window, not the limit.
 */
class HitLog {
  private times = new Float64Array(8);
  private head = 0;
  size = 0;

  /** Drops the hits that have expired by `now`. */
  expire(now: number): void {
    while (this.size > 0 && this.times[this.head]! <= now) {
      this.head = (this.head + 1) % this.times.length;
      this.size -= 1;
    }
  }

  push(expiresAt: number): void {
    if (this.size === this.times.length) this.grow();
    this.times[(this.head + this.size) % this.times.length] = expiresAt;
    this.size += 1;
  }

  /** Expiry time of the oldest live hit, if any. */
  oldest(): number | undefined {
    return this.size === 0 ? undefined : this.times[this.head];
  }

  private grow(): void {
    const bigger = new Float64Array(this.times.length * 2);
    for (let i = 0; i < this.size; i += 1) {
      bigger[i] = this.times[(this.head + i) % this.times.length]!;
    }
    this.times = bigger;
    this.head = 0;
  }
}

interface KeyState {
  readonly hits: HitLog;
  /** Only with a `blockDuration`: blocked until then (epoch ms). */
  blockedUntil: number;
}

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * Rolling-window rate-limit counters in memory, with the decisions of `@nestjs/throttler`'s own
 * storage (a request counts for `ttl` ms after it was let through; over `limit` → blocked, and
 * `timeToBlockExpire` says when the oldest counted request frees its slot; with a
 * `blockDuration`, a block lasts that long and then starts a fresh budget) at O(1) per request.
 * One difference: `timeToExpire` (the `X-RateLimit-Reset` header) is when the oldest counted
 * request frees its slot, not the end of a per-key window the package keeps besides.
 *
 * Why not the default `ThrottlerStorageService` (6.7): on every request it copies and filters
 * the key's whole list of hit times and takes `Math.min(...hits)`. That is O(hits in the window)
 * per request: at a limit of 1,000,000 and ~650 calls/s, a third of the server's CPU
 * (bench/grpc-get-platform.bench.ts); and past ~120,000 hits in one window the spread overflows
 * the stack, so every request of that tenant fails with a 500.
 *
 * Keys nobody has used for a window are dropped in a sweep at most once per minute, done by the
 * request that finds it due (no timer to stop).
 */
@Injectable()
export class RollingWindowThrottlerStorage implements ThrottlerStorage {
  private readonly keys = new Map<string, KeyState>();
  private nextSweepAt: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sweepEveryMs = 60_000,
  ) {
    this.nextSweepAt = now() + sweepEveryMs;
  }

  /** Keys currently held (for tests and diagnostics). */
  get size(): number {
    return this.keys.size;
  }

  /** (The throttler's name, the fifth argument, is already part of `key`.) */
  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    this.sweepIfDue(now);
    let state = this.keys.get(key);
    if (state === undefined) {
      state = { hits: new HitLog(), blockedUntil: 0 };
      this.keys.set(key, state);
    }
    if (state.blockedUntil !== 0 && state.blockedUntil <= now) {
      // As the package's storage does: a block that has run out starts a fresh budget.
      state = { hits: new HitLog(), blockedUntil: 0 };
      this.keys.set(key, state);
    }
    const { hits } = state;
    hits.expire(now);
    const untilOldestFrees = (hits.oldest() ?? now + ttl) - now;

    if (state.blockedUntil > now) {
      return Promise.resolve(this.blocked(hits, untilOldestFrees, state.blockedUntil - now));
    }
    if (hits.size >= limit) {
      if (blockDuration > 0) {
        state.blockedUntil = now + blockDuration;
        return Promise.resolve(this.blocked(hits, untilOldestFrees, blockDuration));
      }
      return Promise.resolve(this.blocked(hits, untilOldestFrees, untilOldestFrees));
    }
    hits.push(now + ttl);
    return Promise.resolve({
      totalHits: hits.size,
      timeToExpire: seconds((hits.oldest() ?? now + ttl) - now),
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  }

  private blocked(hits: HitLog, untilOldestFrees: number, blockMs: number): ThrottlerStorageRecord {
    return {
      totalHits: hits.size + 1,
      timeToExpire: seconds(untilOldestFrees),
      isBlocked: true,
      timeToBlockExpire: Math.max(1, seconds(blockMs)),
    };
  }

  private sweepIfDue(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.sweepEveryMs;
    for (const [key, state] of this.keys) {
      state.hits.expire(now);
      if (state.hits.size === 0 && state.blockedUntil <= now) this.keys.delete(key);
    }
  }
}
