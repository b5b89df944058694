import type { ServicePlatformDict } from '../../domain/service-platform.entity';

/**
 * One tier of the platform view cache (in memory, Redis), with the version rules of
 * `PlatformViewCache`: `put` never replaces a newer version, and `invalidate(id, version)` drops
 * older versions and refuses them afterwards (a floor, kept as long as an entry would be).
 */
export interface PlatformViewStore {
  get(platformId: string): Promise<ServicePlatformDict | undefined>;
  put(view: ServicePlatformDict): Promise<void>;
  invalidate(platformId: string, version: number): Promise<void>;
}
