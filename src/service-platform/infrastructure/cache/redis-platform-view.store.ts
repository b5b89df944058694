import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { withTimeout } from '../../application/with-timeout';
import type { ServicePlatformDict } from '../../domain/service-platform.entity';
import { signedViewData, type CachedViewSigner } from './cached-view.signer';
import type { PlatformViewStore } from './platform-view.store';
import { messageOf } from '../../application/error-message';

export interface RedisPlatformViewStoreOptions {
  /** Authenticates every stored view (see `CachedViewSigner`); unsigned or forged views are misses. */
  signer: CachedViewSigner;
  /** Lifetime of a platform's entry (view and floor), renewed by every write to it. */
  ttlSeconds: number;
  /** Namespace of the keys. Its `v1` is the format of what is stored: bump it with the view's shape. */
  keyPrefix?: string;
}

export const DEFAULT_PLATFORM_VIEW_KEY_PREFIX = 'service-platform:view:v1:';

/** Our own bound on a call, whatever the client's options: a cache must not slow a request down. */
const CALL_TIMEOUT_MS = 250;
/** An outage fails every request: one warning per interval says enough. */
const WARNING_INTERVAL_MS = 30_000;

// One hash per platform: `v` the cached view's version, `floor` the lowest version still
// acceptable, `view` its JSON, `kid` and `mac` its signature (`CachedViewSigner`). The version checks run in Lua so that no put slips in between a
// check and a write (another instance may be invalidating the same platform).

/** KEYS[1] the platform's hash; ARGV version, view JSON, TTL, key id, MAC. Refuses anything not newer. */
const PUT = script(`
local version = tonumber(ARGV[1])
local cached = redis.call('HMGET', KEYS[1], 'v', 'floor')
local v, floor = tonumber(cached[1]), tonumber(cached[2])
if (floor and version < floor) or (v and version <= v) then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'view', ARGV[2], 'kid', ARGV[4], 'mac', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`);

/**
 * KEYS[1] the platform's hash; ARGV version, TTL. Raises the floor and drops an older view; the
 * TTL is renewed even when nothing else changes, so the floor outlives any view it guards against.
 */
const INVALIDATE = script(`
local version = tonumber(ARGV[1])
local cached = redis.call('HMGET', KEYS[1], 'v', 'floor')
local v, floor = tonumber(cached[1]), tonumber(cached[2])
if not floor or floor < version then
  redis.call('HSET', KEYS[1], 'floor', ARGV[1])
end
if not v or v < version then
  redis.call('HDEL', KEYS[1], 'v', 'view', 'kid', 'mac')
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`);

/**
 * The shared tier of the platform view cache. The Redis client is the caller's (created with no
 * offline queue and a short command timeout, so that commands fail fast while Redis is down); this
 * store neither connects nor closes it. Failures never reach the caller: a read is a miss, a write
 * is skipped, and the log says so, at most once per `WARNING_INTERVAL_MS`.
 */
export class RedisPlatformViewStore implements PlatformViewStore {
  private readonly logger = new Logger('ServicePlatformCache');
  private readonly keyPrefix: string;
  private readonly ttlSeconds: number;
  private readonly signer: CachedViewSigner;
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private unreported = 0;
  /** An outage was reported and its end was not yet. */
  private outageReported = false;

  constructor(
    private readonly redis: Redis,
    options: RedisPlatformViewStoreOptions,
  ) {
    if (!Number.isSafeInteger(options.ttlSeconds) || options.ttlSeconds <= 0) {
      throw new Error('ttlSeconds must be a positive whole number of seconds');
    }
    this.ttlSeconds = options.ttlSeconds;
    this.signer = options.signer;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_PLATFORM_VIEW_KEY_PREFIX;
  }

  async get(platformId: string): Promise<ServicePlatformDict | undefined> {
    let fields: (string | null)[];
    try {
      fields = await this.bounded(
        this.redis.hmget(this.key(platformId), 'v', 'floor', 'view', 'kid', 'mac'),
      );
    } catch (error) {
      this.failed('read', error);
      return undefined;
    }
    this.succeeded();
    const [v, floor, json, kid, mac] = fields;
    if (v === null || v === undefined || json === null || json === undefined) return undefined;
    const signature = { kid: kid ?? '', mac: mac ?? '' };
    if (!this.signer.verify(signedViewData(platformId, v, json), signature)) {
      this.warn(`Ignoring a cached view of platform ${platformId} that does not verify`);
      return undefined;
    }
    const version = Number(v);
    // The scripts never leave a view below the floor; a hand-edited or half-migrated key might.
    if (floor !== null && floor !== undefined && !(version >= Number(floor))) return undefined;
    const view = parseView(json);
    if (view === undefined || view.id !== platformId || view.version !== version) {
      // The id only: the view itself stays out of the log.
      this.warn(`Ignoring a malformed cached view of platform ${platformId}`);
      return undefined;
    }
    return view;
  }

  async put(view: ServicePlatformDict): Promise<boolean> {
    if (!Number.isSafeInteger(view.version)) return true;
    const version = String(view.version);
    const json = JSON.stringify(view);
    const { kid, mac } = this.signer.sign(signedViewData(view.id, version, json));
    return this.write('write', view.id, PUT, [version, json, String(this.ttlSeconds), kid, mac]);
  }

  async invalidate(platformId: string, version: number): Promise<boolean> {
    if (!Number.isSafeInteger(version)) return true;
    return this.write('invalidation', platformId, INVALIDATE, [
      String(version),
      String(this.ttlSeconds),
    ]);
  }

  private key(platformId: string): string {
    return `${this.keyPrefix}${platformId}`;
  }

  private async write(
    operation: string,
    platformId: string,
    lua: Script,
    args: string[],
  ): Promise<boolean> {
    try {
      await this.bounded(this.run(lua, this.key(platformId), args));
      this.succeeded();
      return true;
    } catch (error) {
      this.failed(operation, error);
      return false;
    }
  }

  /**
   * EVALSHA, and EVAL (which caches the script) when the server does not know it yet. Rather
   * than `defineCommand`, which would add commands to a client that is not ours.
   */
  private async run(lua: Script, key: string, args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(lua.sha, 1, key, ...args);
    } catch (error) {
      if (!messageOf(error).startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(lua.source, 1, key, ...args);
    }
  }

  private bounded<T>(call: Promise<T>): Promise<T> {
    return withTimeout(call, CALL_TIMEOUT_MS, `no answer within ${CALL_TIMEOUT_MS} ms`);
  }

  private failed(operation: string, error: unknown): void {
    if (this.warn(`Redis cache ${operation} failed, going without: ${messageOf(error)}`)) {
      this.outageReported = true;
    }
  }

  private succeeded(): void {
    if (!this.outageReported) return;
    this.outageReported = false;
    this.logger.log('Redis cache reachable again');
  }

  /** Logs `message` unless a warning was logged less than an interval ago; true if logged. */
  private warn(message: string): boolean {
    const now = Date.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) {
      this.unreported++;
      return false;
    }
    const held =
      this.unreported > 0 ? ` (${this.unreported} more problems since the last one)` : '';
    this.lastWarningAt = now;
    this.unreported = 0;
    this.logger.warn(message + held);
    return true;
  }
}

interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * The view if `json` has the shape of one. Never reports why not: a JSON.parse message quotes
 * the input, and views must stay out of the log.
 */
function parseView(json: string): ServicePlatformDict | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const looksRight =
    typeof value.id === 'string' &&
    typeof value.tenant_id === 'string' &&
    typeof value.service_name === 'string' &&
    isPlainObject(value.config) &&
    typeof value.is_active === 'boolean' &&
    Number.isSafeInteger(value.version) &&
    typeof value.created_at === 'string' &&
    typeof value.updated_at === 'string';
  return looksRight ? (value as unknown as ServicePlatformDict) : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
