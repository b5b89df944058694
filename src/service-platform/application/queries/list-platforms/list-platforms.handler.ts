import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertServiceName, assertUuid } from '../../../domain/identifiers';
import { RequestValidationError } from '../../../domain/platform.errors';
import type { ServicePlatformDict } from '../../../domain/service-platform.entity';
import {
  ServicePlatformRepository,
  type ListPlatformsCriteria,
  type PlatformCursor,
} from '../../ports/service-platform.repository.port';
import { PlatformViewCache } from '../../ports/platform-view-cache.port';
import { Role } from '../../authz/platform-ability';
import { accessFor, assertAllowed, type PlatformAccess } from '../../authz/platform-access';
import { ServiceCatalog, shownByCatalog } from '../../catalog/service-catalog';
import { ListPlatformsQuery, type ListPlatformsResult } from './list-platforms.query';
import { decodeCursor, encodeCursor } from './platform-cursor.codec';

export const LIST_LIMIT = { default: 50, max: 200 } as const;

/**
 * A page of platforms. With the read cache on, the page is read as ids and versions (scoped by
 * the actor's ability, as every read is), and each platform whose view of that very version is
 * cached is answered from it: only the others are read in full and decrypted, then cached. A
 * page read again is one light query and no decryption.
 */
@QueryHandler(ListPlatformsQuery)
export class ListPlatformsHandler implements IQueryHandler<ListPlatformsQuery> {
  constructor(
    private readonly platforms: ServicePlatformRepository,
    private readonly cache: PlatformViewCache,
    private readonly catalog: ServiceCatalog,
  ) {}

  async execute(query: ListPlatformsQuery): Promise<ListPlatformsResult> {
    const { actor, filter } = query;
    // The tenant comes from the caller's token unless a platform admin names one (or none:
    // then every tenant). Naming a tenant the caller may not read is refused (403).
    const requestedTenant = filter.tenantId ?? actor.tenantId ?? undefined;
    if (requestedTenant === undefined && !actor.roles.includes(Role.PlatformAdmin)) {
      throw new RequestValidationError('tenant_id is required', [
        { field: 'tenant_id', message: 'is required' },
      ]);
    }
    const tenantId =
      requestedTenant === undefined ? undefined : assertUuid(requestedTenant, 'tenant_id');
    const access = accessFor(actor, 'read');
    if (tenantId !== undefined)
      assertAllowed(actor, 'read', { tenantId, isActive: true }, access.ability);

    const limit = filter.limit ?? LIST_LIMIT.default;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT.max) {
      throw new RequestValidationError(`limit must be an integer from 1 to ${LIST_LIMIT.max}`, [
        { field: 'limit', message: `must be an integer from 1 to ${LIST_LIMIT.max}` },
      ]);
    }

    const criteria: ListPlatformsCriteria = {
      ...(tenantId !== undefined && { tenantId }),
      limit,
      ...(filter.isActive !== undefined && { isActive: filter.isActive }),
      ...(filter.serviceName !== undefined && {
        serviceName: assertServiceName(filter.serviceName),
      }),
      ...(filter.cursor !== undefined && { after: decodeCursor(filter.cursor) }),
    };
    const page = this.cache.status().enabled
      ? await this.viaCache(criteria, access)
      : await this.platforms.listByTenant(criteria, access).then(({ items, next }) => ({
          items: items.map((platform) => platform.toDict()),
          next,
        }));
    return {
      platforms: page.items,
      nextCursor: page.next === null ? null : encodeCursor(page.next),
    };
  }

  private async viaCache(
    criteria: ListPlatformsCriteria,
    access: PlatformAccess,
  ): Promise<{ items: ServicePlatformDict[]; next: PlatformCursor | null }> {
    const mark = this.cache.mark();
    const page = await this.platforms.listVersions(criteria, access);
    const views = await Promise.all(
      page.items.map(async ({ id, tenantId, version }) => {
        const cached = await this.cache.get(id);
        // Only a view of the very version listed (of the same tenant) stands in for the row.
        return cached?.version === version && cached.tenant_id === tenantId
          ? shownByCatalog(cached, this.catalog)
          : undefined;
      }),
    );
    const missing = page.items.filter((_, at) => views[at] === undefined).map(({ id }) => id);
    if (missing.length > 0) {
      const read = new Map<string, ServicePlatformDict>();
      for (const platform of await this.platforms.listByIds(missing, criteria, access)) {
        read.set(platform.id, platform.toDict());
      }
      await Promise.all([...read.values()].map((view) => this.cache.put(view, mark)));
      page.items.forEach(({ id }, at) => {
        views[at] ??= read.get(id);
      });
    }
    // A platform changed between the two reads so that it no longer matches is left out.
    return {
      items: views.filter((view): view is ServicePlatformDict => view !== undefined),
      next: page.next,
    };
  }
}
