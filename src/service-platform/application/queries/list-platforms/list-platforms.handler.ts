import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertServiceName, assertUuid } from '../../../domain/identifiers';
import { RequestValidationError } from '../../../domain/platform.errors';
import type { ServicePlatformDict } from '../../../domain/service-platform.entity';
import {
  ServicePlatformRepository,
  type ListPlatformsCriteria,
  type SealedPlatform,
} from '../../ports/service-platform.repository.port';
import { PlatformViewCache } from '../../ports/platform-view-cache.port';
import { Role } from '../../authz/platform-ability';
import { accessFor, assertAllowed } from '../../authz/platform-access';
import { ServiceCatalog, shownByCatalog } from '../../catalog/service-catalog';
import { ListPlatformsQuery, type ListPlatformsResult } from './list-platforms.query';
import { decodeCursor, encodeCursor } from './platform-cursor.codec';

export const LIST_LIMIT = { default: 50, max: 200 } as const;

/**
 * A page of platforms, read in one query scoped by the actor's ability. A platform whose view of
 * that very version this process has cached is answered from it; only the others are decrypted
 * (and then cached), so a page read again decrypts nothing.
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
    const mark = this.cache.mark();
    const page = await this.platforms.listSealed(criteria, access);
    return {
      platforms: await Promise.all(page.items.map((item) => this.viewOf(item, mark))),
      nextCursor: page.next === null ? null : encodeCursor(page.next),
    };
  }

  /** This process's cached view of the item's very version (and tenant), else the row opened. */
  private async viewOf(item: SealedPlatform, mark: number): Promise<ServicePlatformDict> {
    const cached = await this.cache.getLocal(item.id);
    if (cached?.version === item.version && cached.tenant_id === item.tenantId) {
      // Masked by the rules of when it was cached: shown by today's.
      return shownByCatalog(cached, this.catalog);
    }
    const view = (await item.open()).toDict();
    await this.cache.putLocal(view, mark);
    return view;
  }
}
