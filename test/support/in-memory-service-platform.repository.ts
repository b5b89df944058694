import {
  ServicePlatformRepository,
  type ActivationChange,
  type ListPlatformsCriteria,
  type PlatformPage,
  type PlatformVersionPage,
  type SealedPlatformPage,
} from '../../src/service-platform/application/ports/service-platform.repository.port';
import type { PlatformAccess } from '../../src/service-platform/application/authz/platform-access';
import { platformSubject } from '../../src/service-platform/application/authz/platform-ability';
import { EventOutbox } from '../../src/service-platform/application/ports/event-outbox.port';
import { UnitOfWork } from '../../src/service-platform/application/ports/unit-of-work.port';
import type { PlatformChangeEvent } from '../../src/service-platform/domain/events/platform-change.events';
import {
  PlatformAlreadyExistsError,
  PlatformNotFoundError,
  VersionConflictError,
} from '../../src/service-platform/domain/platform.errors';
import { ServicePlatform } from '../../src/service-platform/domain/service-platform.entity';

/** Fake of the repository port for handler unit tests: same contract, kept in a Map. */
export class InMemoryServicePlatformRepository extends ServicePlatformRepository {
  readonly rows = new Map<string, ServicePlatform>();
  /** `forUpdate` reads, to check that handlers lock before a read-modify-write. */
  readonly lockedReads: string[] = [];
  /** Configurations `listSealed` items had to open (the Prisma adapter decrypts for each). */
  opened = 0;

  create(platform: ServicePlatform): Promise<ServicePlatform> {
    for (const row of this.rows.values()) {
      if (row.tenantId === platform.tenantId && row.serviceName === platform.serviceName) {
        return Promise.reject(
          new PlatformAlreadyExistsError(platform.tenantId, platform.serviceName, row.isActive),
        );
      }
    }
    this.rows.set(platform.id, platform);
    return Promise.resolve(platform);
  }

  getById(
    platformId: string,
    access: PlatformAccess,
    options: { forUpdate?: boolean } = {},
  ): Promise<ServicePlatform | null> {
    if (options.forUpdate === true) this.lockedReads.push(platformId);
    const row = this.rows.get(platformId);
    return Promise.resolve(row !== undefined && allows(access, row) ? row : null);
  }

  serviceNameOf(platformId: string, access: PlatformAccess): Promise<string | null> {
    const row = this.rows.get(platformId);
    return Promise.resolve(row !== undefined && allows(access, row) ? row.serviceName : null);
  }

  getByTenantService(tenantId: string, serviceName: string): Promise<ServicePlatform | null> {
    const row = [...this.rows.values()].find(
      (r) => r.tenantId === tenantId && r.serviceName === serviceName,
    );
    return Promise.resolve(row ?? null);
  }

  update(platform: ServicePlatform, expectedVersion: number): Promise<ServicePlatform> {
    const current = this.rows.get(platform.id);
    if (current === undefined) return Promise.reject(new PlatformNotFoundError(platform.id));
    if (current.version !== expectedVersion) {
      return Promise.reject(
        new VersionConflictError(platform.id, expectedVersion, current.version),
      );
    }
    this.rows.set(platform.id, platform);
    return Promise.resolve(platform);
  }

  deactivate(platformId: string, access: PlatformAccess): Promise<ActivationChange | null> {
    return this.setActive(platformId, access, false);
  }

  activate(platformId: string, access: PlatformAccess): Promise<ActivationChange | null> {
    return this.setActive(platformId, access, true);
  }

  listByTenant(criteria: ListPlatformsCriteria, access: PlatformAccess): Promise<PlatformPage> {
    const { after } = criteria;
    const matching = [...this.rows.values()]
      .filter((r) => allows(access, r))
      .filter((r) => criteria.tenantId === undefined || r.tenantId === criteria.tenantId)
      .filter((r) => criteria.isActive === undefined || r.isActive === criteria.isActive)
      .filter((r) => criteria.serviceName === undefined || r.serviceName === criteria.serviceName)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .filter((r) => after === undefined || r.id > after.afterId);
    const items = matching.slice(0, criteria.limit);
    const last = items.at(-1);
    return Promise.resolve({
      items,
      next: matching.length > criteria.limit && last !== undefined ? { afterId: last.id } : null,
    });
  }

  async listVersions(
    criteria: ListPlatformsCriteria,
    access: PlatformAccess,
  ): Promise<PlatformVersionPage> {
    const { items, next } = await this.listByTenant(criteria, access);
    return { items: items.map(({ id, tenantId, version }) => ({ id, tenantId, version })), next };
  }

  async listSealed(
    criteria: ListPlatformsCriteria,
    access: PlatformAccess,
  ): Promise<SealedPlatformPage> {
    const { items, next } = await this.listByTenant(criteria, access);
    return {
      items: items.map((p) => ({
        id: p.id,
        tenantId: p.tenantId,
        version: p.version,
        open: () => {
          this.opened++;
          return Promise.resolve(p);
        },
      })),
      next,
    };
  }

  private async setActive(
    platformId: string,
    access: PlatformAccess,
    isActive: boolean,
  ): Promise<ActivationChange | null> {
    const current = await this.getById(platformId, access);
    if (current === null) return null;
    if (current.isActive === isActive) return { platform: current, changed: false };
    const next = ServicePlatform.restore({
      id: current.id,
      tenantId: current.tenantId,
      serviceName: current.serviceName,
      config: current.config,
      isActive,
      version: current.version + 1,
      createdAt: current.createdAt,
      updatedAt: new Date(),
      secrets: current.secrets,
    });
    this.rows.set(platformId, next);
    return { platform: next, changed: true };
  }
}

/** The same rule evaluation as `accessibleBy` in the Prisma adapter, in memory. */
function allows(access: PlatformAccess, platform: ServicePlatform): boolean {
  return access.ability.can(access.action, platformSubject(platform));
}

/**
 * Fake unit of work: runs the work at once and counts the transactions; after-commit callbacks
 * run when the outermost work succeeds, and are dropped when it throws (a rollback).
 */
export class InlineUnitOfWork extends UnitOfWork {
  transactions = 0;
  private pending: (() => Promise<void>)[] | undefined;

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.pending !== undefined) return work();
    this.transactions++;
    const pending: (() => Promise<void>)[] = [];
    this.pending = pending;
    let result: T;
    try {
      result = await work();
    } finally {
      this.pending = undefined;
    }
    for (const callback of pending) await callback();
    return result;
  }

  afterCommit(callback: () => Promise<void>): void {
    if (this.pending === undefined) void callback();
    else this.pending.push(callback);
  }
}

/** Fake outbox: keeps the events handlers append, in order. */
export class InMemoryEventOutbox extends EventOutbox {
  readonly events: PlatformChangeEvent[] = [];

  append(event: PlatformChangeEvent): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}
