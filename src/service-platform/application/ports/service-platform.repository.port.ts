import type { ServicePlatform } from '../../domain/service-platform.entity';
import type { PlatformAccess } from '../authz/platform-access';

/**
 * Keyset position in a tenant's platforms. Ids are time-ordered (UUIDv7), so id order is
 * registration order.
 */
export interface PlatformCursor {
  readonly afterId: string;
}

export interface ListPlatformsCriteria {
  /** One tenant, or every tenant the access allows when absent. */
  readonly tenantId?: string;
  readonly isActive?: boolean;
  readonly serviceName?: string;
  readonly limit: number;
  readonly after?: PlatformCursor;
}

export interface PlatformPage {
  readonly items: readonly ServicePlatform[];
  /** Position after the last item when more items may follow, else null. */
  readonly next: PlatformCursor | null;
}

/** Who is on a page of `listByTenant`, at which version: no configuration read or decrypted. */
export interface PlatformVersion {
  readonly id: string;
  readonly tenantId: string;
  readonly version: number;
}

export interface PlatformVersionPage {
  readonly items: readonly PlatformVersion[];
  readonly next: PlatformCursor | null;
}

/**
 * A listed platform whose configuration is still sealed: `open()` decrypts it. A caller that
 * already holds a view of this very version (the read cache) needs no decryption at all.
 */
export interface SealedPlatform extends PlatformVersion {
  open(): Promise<ServicePlatform>;
}

export interface SealedPlatformPage {
  readonly items: readonly SealedPlatform[];
  readonly next: PlatformCursor | null;
}

export interface ActivationChange {
  readonly platform: ServicePlatform;
  /** False when the platform already was in the requested state. */
  readonly changed: boolean;
}

/**
 * Persistence of platforms (the spec's `IServicePlatformRepository`). Adapters encrypt the
 * configuration on the way in and decrypt it on the way out: callers only see domain objects.
 * Reads take a `PlatformAccess` and return only rows it allows (authorization enforced again
 * in the data layer); `getByTenantService` is for trusted internal lookups.
 */
export abstract class ServicePlatformRepository {
  /** Inserts a new platform; `PlatformAlreadyExistsError` when the tenant already has the service. */
  abstract create(platform: ServicePlatform): Promise<ServicePlatform>;

  /**
   * `forUpdate` locks the row until the surrounding `UnitOfWork` ends, so a read-modify-write
   * cannot lose a concurrent writer's change.
   */
  abstract getById(
    platformId: string,
    access: PlatformAccess,
    options?: { forUpdate?: boolean },
  ): Promise<ServicePlatform | null>;

  /** The platform's service when `access` shows the platform, else null (no decryption). */
  abstract serviceNameOf(platformId: string, access: PlatformAccess): Promise<string | null>;

  abstract getByTenantService(
    tenantId: string,
    serviceName: string,
  ): Promise<ServicePlatform | null>;

  /**
   * Writes `platform` (its config and `version`) if the stored version is still `expectedVersion`.
   * `VersionConflictError` when it moved on, `PlatformNotFoundError` when the row is gone.
   */
  abstract update(platform: ServicePlatform, expectedVersion: number): Promise<ServicePlatform>;

  /**
   * Atomically marks the platform inactive (bumping its version) unless it already is.
   * Returns the platform as stored afterwards, or null when `access` shows none.
   */
  abstract deactivate(platformId: string, access: PlatformAccess): Promise<ActivationChange | null>;

  /** The mirror of `deactivate`. */
  abstract activate(platformId: string, access: PlatformAccess): Promise<ActivationChange | null>;

  abstract listByTenant(
    criteria: ListPlatformsCriteria,
    access: PlatformAccess,
  ): Promise<PlatformPage>;

  /**
   * The page `listByTenant` answers, as ids and versions only (a light query): enough for a
   * caller holding views of those versions.
   */
  abstract listVersions(
    criteria: ListPlatformsCriteria,
    access: PlatformAccess,
  ): Promise<PlatformVersionPage>;

  /** The page `listByTenant` answers, read in the same query, each configuration still sealed. */
  abstract listSealed(
    criteria: ListPlatformsCriteria,
    access: PlatformAccess,
  ): Promise<SealedPlatformPage>;
}
