import type { ServicePlatformDict } from '../../domain/service-platform.entity';

/**
 * One tier of the platform view cache (in memory, Redis), with the version rules of
 * `PlatformViewCache`: `put` never replaces a newer version, and `invalidate(id, version)` drops
 * older versions and refuses them afterwards (a floor, kept as long as an entry would be).
 */
export interface PlatformViewStore {
  get(platformId: string): Promise<ServicePlatformDict | undefined>;
  /** False when the store could not be reached (nothing is known to have changed). */
  put(view: ServicePlatformDict): Promise<boolean>;
  /** False when the store could not be reached (nothing is known to have changed). */
  invalidate(platformId: string, version: number): Promise<boolean>;
}

/** A store that also reads and writes several platforms in one call (the memory tier, for lists). */
export interface BatchedPlatformViewStore {
  /** `get` of each id, in order. */
  getMany(platformIds: readonly string[]): Promise<(ServicePlatformDict | undefined)[]>;
  /** `put` of each view; false when the store could not be reached. */
  putMany(views: readonly ServicePlatformDict[]): Promise<boolean>;
}
