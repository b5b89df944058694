import type { ServicePlatformDict } from '../../domain/service-platform.entity';

/** What readiness reports of the cache (never required to serve: a miss reads the database). */
export interface PlatformViewCacheStatus {
  readonly enabled: boolean;
  /** This process's copies are in use: its change feed listens. */
  readonly memoryInUse: boolean;
  /**
   * The shared tier: `catching up` at start-up, until this process has checked it against the
   * platforms changed within its TTL (done again, without blocking reads, whenever the change
   * feed listens again), `paused` for a moment after a failure, `distrusted` after more missed
   * invalidations than it could remember (not read until its entries have expired).
   */
  readonly shared: 'not configured' | 'catching up' | 'up' | 'paused' | 'distrusted';
  /** Versions the shared tier missed, waiting to be replayed there. */
  readonly pendingInvalidations: number;
}

/**
 * Read cache of platforms as `GetPlatform` answers them: the masked view (`toDict()`), which holds
 * no plaintext secret, so a cache (in memory or Redis) never holds one either.
 *
 * Versions only move forward: `put` keeps the newer of what it is given and what is cached, and
 * `invalidate(id, version)` drops anything older than `version` and refuses it afterwards, so a
 * slow reader that fetched an old row cannot overwrite a newer one.
 *
 * A cache never fails a request: adapters answer a miss, or do nothing, when their store is
 * unreachable, and say so in the log.
 */
export abstract class PlatformViewCache {
  /**
   * The cached view of the platform, if any that `visible` accepts. A view the caller may not see
   * is treated as a miss at every tier, so that another tenant's platform takes the same path (and
   * the same time) as an id that does not exist.
   */
  abstract get(
    platformId: string,
    visible?: (view: ServicePlatformDict) => boolean,
  ): Promise<ServicePlatformDict | undefined>;

  /**
   * Taken before reading a platform from the database, and handed to `put` with what was read:
   * a view read before this process's tier was reset (its change feed reconnected meanwhile,
   * so it may have missed the change that outdated the view) is not kept in memory.
   */
  abstract mark(): number;

  /**
   * Caches `view` unless a newer version of it is cached or known to exist. `mark`: see `mark()`;
   * none for views just committed by this process.
   */
  abstract put(view: ServicePlatformDict, mark?: number): Promise<void>;

  /**
   * This process's own copies of the platforms' views, in order (undefined where it holds none,
   * and for all while the memory tier is not in use). Lists use this: a view from the shared
   * store costs about as much as decrypting the row again.
   */
  abstract getLocal(platformIds: readonly string[]): Promise<(ServicePlatformDict | undefined)[]>;

  /** `put` of each view into this process's memory only (lists: see `getLocal`). */
  abstract putLocal(views: readonly ServicePlatformDict[], mark: number): Promise<void>;

  /** The platform is now at `version`: forget older views of it, and refuse them from now on. */
  abstract invalidate(platformId: string, version: number): Promise<void>;

  /**
   * This process may be missing invalidations (its change feed is down, or not up yet): drop its
   * own copies and stop using them until `resumeLocal()`. A shared store (Redis) stays in use.
   */
  abstract suspendLocal(): void;

  /** The change feed is listening (again): use this process's copies again, starting empty. */
  abstract resumeLocal(): void;

  abstract status(): PlatformViewCacheStatus;

  /**
   * How far back a change may still be hidden by an older view in the shared tier (its TTL), in
   * ms; 0 without a shared tier. A change nobody told the shared tier about (its writer died
   * before refreshing it, while no other instance listened) is invisible to notifications.
   */
  abstract sharedWindowMs(): number;

  /**
   * The current versions of the platforms changed within `sharedWindowMs()`, read from the
   * database: older views of them are dropped from the shared tier (replayed until it takes
   * them), and the shared tier is read again once this list is known.
   */
  abstract catchUp(current: ReadonlyArray<{ platformId: string; version: number }>): void;
}
