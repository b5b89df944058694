import type { OnApplicationShutdown } from '@nestjs/common';
import { deepFreeze } from '../../domain/deep-freeze';
import {
  PlatformViewCache,
  type PlatformViewCacheStatus,
} from '../../application/ports/platform-view-cache.port';
import type { ServicePlatformDict } from '../../domain/service-platform.entity';
import type { BatchedPlatformViewStore, PlatformViewStore } from './platform-view.store';

export interface SharedTierSettings {
  /** After a failure, the shared tier is left alone this long (requests do not wait on it). */
  readonly pauseMs: number;
  /** Missed invalidations remembered for replay; beyond, the tier is not read for `distrustMs`. */
  readonly maxPending: number;
  /** How long the shared tier's entries live (its TTL): how long a lost invalidation can matter. */
  readonly distrustMs: number;
  /**
   * How long after a change its invalidation is sent to the shared tier once more (0: never).
   * The shared store updates an entry by reading it and writing it back, with no compare-and-set
   * (Keyv has none): a read-through `put` of a view read just before the commit, or a second
   * invalidation, can land after the change's invalidation and bring an older view back. This
   * process's floors refuse it meanwhile (they live longer than this delay), and the second
   * invalidation drops it before they expire. Longer than any such write can take to land.
   */
  readonly healAfterMs: number;
  readonly now?: () => number;
}

const DEFAULT_SHARED_SETTINGS: SharedTierSettings = {
  pauseMs: 2_000,
  maxPending: 10_000,
  distrustMs: 3_600_000,
  healAfterMs: 30_000,
};

/**
 * The platform view cache: this process's memory first, then the shared store (Redis) when there
 * is one. A shared hit is copied into memory, where the local floors still apply: a view this
 * process already knows to be outdated is a miss, whatever the shared store says. Writes and
 * invalidations go to both tiers.
 *
 * The memory tier is only used while the change feed listens (`resumeLocal()`), since only then
 * does it hear of other instances' changes; `mark()` keeps a read that began before a reset from
 * refilling it.
 *
 * The shared tier can miss an invalidation (Redis down or slow): its older view would then
 * outlive this process's floor. Such versions are remembered, the platform is not read from the
 * shared tier, and the invalidation is replayed until Redis takes it. (A missed `put` needs no
 * replay: every change also reaches every listening instance as an invalidation.) After a
 * failure the shared tier is left alone for `pauseMs`, so that requests do not each wait for its
 * timeout.
 */
export class TieredPlatformViewCache extends PlatformViewCache implements OnApplicationShutdown {
  private localInUse = false;
  private epoch = 0;
  /** Platform id → version the shared tier has not been told about yet. */
  private readonly pending = new Map<string, number>();
  private sharedPausedUntil = 0;
  private sharedDistrustedUntil = 0;
  private replayTimer: NodeJS.Timeout | undefined;
  /** Platform id → the version to invalidate once more, and when (in the order they are due). */
  private readonly heals = new Map<string, { version: number; due: number }>();
  private healTimer: NodeJS.Timeout | undefined;
  private healing = false;
  private replaying = false;
  private stopped = false;
  /** The shared tier is not read until the first `catchUp()`. */
  private caughtUp = false;
  private readonly settings: SharedTierSettings;
  private readonly now: () => number;

  constructor(
    private readonly local: PlatformViewStore & BatchedPlatformViewStore & { clear(): void },
    private readonly shared?: PlatformViewStore,
    /** Releases the shared store's connection. */
    private readonly release?: () => Promise<void>,
    settings: Partial<SharedTierSettings> = {},
  ) {
    super();
    this.settings = { ...DEFAULT_SHARED_SETTINGS, ...settings };
    this.now = this.settings.now ?? Date.now;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
    clearTimeout(this.healTimer);
    this.healTimer = undefined;
    this.heals.clear();
    this.suspendLocal();
    await this.release?.();
  }

  mark(): number {
    return this.epoch;
  }

  async get(
    platformId: string,
    visible: (view: ServicePlatformDict) => boolean = () => true,
  ): Promise<ServicePlatformDict | undefined> {
    // A view the caller may not see is a miss at every tier: the same path as an unknown id.
    if (this.localInUse) {
      const hit = await this.local.get(platformId);
      if (hit !== undefined && visible(hit)) return hit;
    }
    if (!this.sharedReadable(platformId)) return undefined;
    const epoch = this.epoch;
    const remote = await this.shared?.get(platformId);
    if (remote === undefined || !visible(remote)) return undefined;
    // A shared answer that began before a reset of the memory tier is not copied into it.
    if (!this.localInUse || epoch !== this.epoch) return remote;
    await this.local.put(deepFreeze(remote));
    return this.local.get(platformId);
  }

  async put(view: ServicePlatformDict, mark?: number): Promise<void> {
    const frozen = deepFreeze(view);
    if (this.localInUse && (mark === undefined || mark === this.epoch)) {
      await this.local.put(frozen);
    }
    const shared = this.shared;
    if (shared === undefined || !this.sharedWritable(view.id)) return;
    if (!(await shared.put(frozen))) this.pauseShared();
  }

  async getLocal(platformIds: readonly string[]): Promise<(ServicePlatformDict | undefined)[]> {
    if (!this.localInUse) return platformIds.map(() => undefined);
    return this.local.getMany(platformIds);
  }

  async putLocal(views: readonly ServicePlatformDict[], mark: number): Promise<void> {
    if (!this.localInUse || mark !== this.epoch || views.length === 0) return;
    await this.local.putMany(views.map((view) => deepFreeze(view)));
  }

  async invalidate(platformId: string, version: number): Promise<void> {
    if (this.localInUse) await this.local.invalidate(platformId, version);
    if (this.shared === undefined || this.stopped) return;
    this.scheduleHeal(platformId, version);
    if (!this.sharedWritable(platformId)) {
      this.remember(platformId, version);
    } else if (!(await this.shared.invalidate(platformId, version))) {
      this.pauseShared();
      this.remember(platformId, version);
    }
  }

  /** The second invalidation of a change (see `healAfterMs`); a later change postpones it. */
  private scheduleHeal(platformId: string, version: number): void {
    if (this.settings.healAfterMs <= 0) return;
    const known = this.heals.get(platformId);
    this.heals.delete(platformId);
    this.heals.set(platformId, {
      version: Math.max(version, known?.version ?? version),
      due: this.now() + this.settings.healAfterMs,
    });
    this.scheduleHealTimer();
  }

  private scheduleHealTimer(): void {
    if (this.stopped || this.healing || this.healTimer !== undefined) return;
    const next = this.heals.values().next();
    if (next.done === true) return;
    this.healTimer = setTimeout(
      () => {
        this.healTimer = undefined;
        void this.heal();
      },
      Math.max(next.value.due - this.now(), 0) + 10,
    );
    this.healTimer.unref();
  }

  /** Sends the invalidations that are due once more, one at a time, oldest first. */
  async heal(): Promise<void> {
    const shared = this.shared;
    if (shared === undefined || this.healing) return;
    this.healing = true;
    try {
      for (const [platformId, entry] of [...this.heals]) {
        if (this.stopped || entry.due > this.now()) break;
        // Postponed by a change meanwhile: that later entry is sent when it is due.
        if (this.heals.get(platformId) !== entry) continue;
        this.heals.delete(platformId);
        const { version } = entry;
        // Paused, or already waiting for a replay: the replay of missed invalidations takes it.
        if (!this.sharedWritable(platformId)) {
          this.remember(platformId, version);
        } else if (!(await shared.invalidate(platformId, version))) {
          this.pauseShared();
          this.remember(platformId, version);
        }
      }
    } finally {
      this.healing = false;
    }
    this.scheduleHealTimer();
  }

  suspendLocal(): void {
    this.localInUse = false;
    this.epoch++;
    this.local.clear();
  }

  resumeLocal(): void {
    this.epoch++;
    this.local.clear();
    this.localInUse = true;
  }

  status(): PlatformViewCacheStatus {
    const now = this.now();
    const shared =
      this.shared === undefined
        ? 'not configured'
        : !this.caughtUp
          ? 'catching up'
          : now < this.sharedDistrustedUntil
            ? 'distrusted'
            : now < this.sharedPausedUntil
              ? 'paused'
              : 'up';
    return {
      enabled: true,
      memoryInUse: this.localInUse,
      shared,
      pendingInvalidations: this.pending.size,
    };
  }

  private sharedReadable(platformId: string): boolean {
    const now = this.now();
    return (
      this.shared !== undefined &&
      this.caughtUp &&
      now >= this.sharedPausedUntil &&
      now >= this.sharedDistrustedUntil &&
      !this.pending.has(platformId)
    );
  }

  sharedWindowMs(): number {
    return this.shared === undefined ? 0 : this.settings.distrustMs;
  }

  catchUp(current: ReadonlyArray<{ platformId: string; version: number }>): void {
    if (this.shared === undefined || this.stopped) return;
    for (const { platformId, version } of current) this.remember(platformId, version);
    this.caughtUp = true;
  }

  /** Not paused, not stopped, and nothing of this platform waiting to be replayed first. */
  private sharedWritable(platformId: string): boolean {
    return (
      this.shared !== undefined &&
      !this.stopped &&
      this.now() >= this.sharedPausedUntil &&
      !this.pending.has(platformId)
    );
  }

  private pauseShared(): void {
    this.sharedPausedUntil = this.now() + this.settings.pauseMs;
  }

  private remember(platformId: string, version: number): void {
    this.pending.set(platformId, Math.max(version, this.pending.get(platformId) ?? version));
    if (this.pending.size > this.settings.maxPending) {
      // Too many to replay: read nothing from the shared tier until its entries have expired.
      this.pending.clear();
      this.sharedDistrustedUntil = this.now() + this.settings.distrustMs;
    }
    this.scheduleReplay();
  }

  private scheduleReplay(): void {
    if (this.stopped || this.replaying || this.replayTimer !== undefined) return;
    if (this.pending.size === 0) return;
    const delay = Math.max(this.sharedPausedUntil - this.now(), 0) + 10;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      void this.replay();
    }, delay);
    this.replayTimer.unref();
  }

  /** Tells the shared tier what it missed, oldest first, until it fails again. One at a time. */
  async replay(): Promise<void> {
    const shared = this.shared;
    if (shared === undefined || this.replaying) return;
    this.replaying = true;
    try {
      for (const [platformId, version] of [...this.pending]) {
        if (this.stopped) return;
        if (!(await shared.invalidate(platformId, version))) {
          this.pauseShared();
          break;
        }
        // Unless a newer version was remembered meanwhile.
        if (this.pending.get(platformId) === version) this.pending.delete(platformId);
      }
    } finally {
      this.replaying = false;
    }
    this.scheduleReplay();
  }
}

/** `cache: { enabled: false }`: every read goes to the database. */
export class DisabledPlatformViewCache extends PlatformViewCache {
  status(): PlatformViewCacheStatus {
    return {
      enabled: false,
      memoryInUse: false,
      shared: 'not configured',
      pendingInvalidations: 0,
    };
  }

  mark(): number {
    return 0;
  }

  get(): Promise<ServicePlatformDict | undefined> {
    return Promise.resolve(undefined);
  }

  put(): Promise<void> {
    return Promise.resolve();
  }

  getLocal(platformIds: readonly string[]): Promise<(ServicePlatformDict | undefined)[]> {
    return Promise.resolve(platformIds.map(() => undefined));
  }

  putLocal(): Promise<void> {
    return Promise.resolve();
  }

  invalidate(): Promise<void> {
    return Promise.resolve();
  }

  suspendLocal(): void {}

  resumeLocal(): void {}

  sharedWindowMs(): number {
    return 0;
  }

  catchUp(): void {}
}
