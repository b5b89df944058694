import type { OnApplicationShutdown } from '@nestjs/common';
import { PlatformViewCache } from '../../application/ports/platform-view-cache.port';
import type { ServicePlatformDict } from '../../domain/service-platform.entity';
import type { InMemoryPlatformViewStore } from './in-memory-platform-view.store';
import type { PlatformViewStore } from './platform-view.store';

/**
 * The platform view cache: this process's memory first, then the shared store (Redis) when there
 * is one. A shared hit is copied into memory, where the local floors still apply: a view this
 * process already knows to be outdated is a miss, whatever the shared store says. Writes and
 * invalidations go to both tiers. The memory tier is only used while the change feed listens
 * (`resumeLocal()`), since only then does it hear of other instances' changes.
 */
export class TieredPlatformViewCache extends PlatformViewCache implements OnApplicationShutdown {
  private localInUse = false;

  constructor(
    private readonly local: InMemoryPlatformViewStore,
    private readonly shared?: PlatformViewStore,
    /** Releases the shared store's connection. */
    private readonly release?: () => Promise<void>,
  ) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    this.suspendLocal();
    await this.release?.();
  }

  async get(platformId: string): Promise<ServicePlatformDict | undefined> {
    if (this.localInUse) {
      const hit = await this.local.get(platformId);
      if (hit !== undefined) return hit;
    }
    const remote = await this.shared?.get(platformId);
    if (remote === undefined || !this.localInUse) return remote;
    await this.local.put(deepFreeze(remote));
    return this.local.get(platformId);
  }

  async put(view: ServicePlatformDict): Promise<void> {
    const frozen = deepFreeze(view);
    if (this.localInUse) await this.local.put(frozen);
    await this.shared?.put(frozen);
  }

  async invalidate(platformId: string, version: number): Promise<void> {
    if (this.localInUse) await this.local.invalidate(platformId, version);
    await this.shared?.invalidate(platformId, version);
  }

  suspendLocal(): void {
    this.localInUse = false;
    this.local.clear();
  }

  resumeLocal(): void {
    this.local.clear();
    this.localInUse = true;
  }
}

/** Cached views are shared by every caller: none may change one under the others. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** `cache: { enabled: false }`: every read goes to the database. */
export class DisabledPlatformViewCache extends PlatformViewCache {
  get(): Promise<ServicePlatformDict | undefined> {
    return Promise.resolve(undefined);
  }

  put(): Promise<void> {
    return Promise.resolve();
  }

  invalidate(): Promise<void> {
    return Promise.resolve();
  }

  suspendLocal(): void {}

  resumeLocal(): void {}
}
