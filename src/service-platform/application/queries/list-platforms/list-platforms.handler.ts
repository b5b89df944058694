import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertServiceName, assertUuid } from '../../../domain/identifiers';
import { RequestValidationError } from '../../../domain/platform.errors';
import type { ServicePlatformDict } from '../../../domain/service-platform.entity';
import {
  ServicePlatformRepository,
  type ListPlatformsCriteria,
  type PlatformCursor,
  type PlatformVersion,
} from '../../ports/service-platform.repository.port';
import { PlatformViewCache } from '../../ports/platform-view-cache.port';
import { Role } from '../../authz/platform-ability';
import { accessFor, assertAllowed } from '../../authz/platform-access';
import { ServiceCatalog, shownByCatalog } from '../../catalog/service-catalog';
import { ListPlatformsQuery, type ListPlatformsResult } from './list-platforms.query';
import { decodeCursor, encodeCursor } from './platform-cursor.codec';

export const LIST_LIMIT = { default: 50, max: 200 } as const;

/**
 * A page of platforms, scoped by the actor's ability as every read is. A platform whose view of
 * that very version this process holds is answered from it; only the others are decrypted (then
 * kept in memory). A page read again unchanged is one light query and no decryption.
 */
@QueryHandler(ListPlatformsQuery)
export class ListPlatformsHandler implements IQueryHandler<ListPlatformsQuery> {
  /**
   * The queries of the pages answered lately (not their content, nor who asked: this only picks
   * the path, and every path is scoped by the caller's ability).
   */
  private readonly recentPages = new Map<string, true>();

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
    // A page this process answered lately, it probably holds views of: a light query first, and
    // if it holds a view of every platform on it at that version, nothing more. Otherwise (and
    // for a page not seen lately, such as a first walk through a tenant) the page is read in
    // full, and only the platforms it holds no view of are decrypted.
    const key = pageKey(criteria);
    if (this.recentPages.has(key) && this.cache.status().memoryInUse) {
      const listed = await this.platforms.listVersions(criteria, access);
      const views = await this.cachedViews(listed.items);
      if (views.every((view) => view !== undefined)) {
        this.remember(key);
        return { platforms: views, nextCursor: cursorOf(listed.next) };
      }
    }
    const page = await this.platforms.listSealed(criteria, access);
    const cached = await this.cachedViews(page.items);
    const platforms = await Promise.all(
      page.items.map(async (item, at) => cached[at] ?? (await item.open()).toDict()),
    );
    await this.cache.putLocal(
      platforms.filter((_, at) => cached[at] === undefined),
      mark,
    );
    this.remember(key);
    return { platforms, nextCursor: cursorOf(page.next) };
  }

  /** Keeps `key` among the most recent pages (least recently answered forgotten first). */
  private remember(key: string): void {
    this.recentPages.delete(key);
    this.recentPages.set(key, true);
    if (this.recentPages.size <= RECENT_PAGES) return;
    const oldest = this.recentPages.keys().next();
    if (oldest.done !== true) this.recentPages.delete(oldest.value);
  }

  /**
   * This process's views of the items, each only at the item's very version and of its tenant
   * (undefined elsewhere); masked by the rules of when they were cached, so shown by today's.
   */
  private async cachedViews(
    items: readonly PlatformVersion[],
  ): Promise<(ServicePlatformDict | undefined)[]> {
    const views = await this.cache.getLocal(items.map((item) => item.id));
    return items.map((item, at) => {
      const view = views[at];
      return view?.version === item.version && view.tenant_id === item.tenantId
        ? shownByCatalog(view, this.catalog)
        : undefined;
    });
  }
}

/** How many pages' queries `recentPages` remembers. */
const RECENT_PAGES = 1_024;

function pageKey(criteria: ListPlatformsCriteria): string {
  const { tenantId, isActive, serviceName, after, limit } = criteria;
  return `${tenantId ?? '*'} ${String(isActive ?? '*')} ${serviceName ?? '*'} ${after?.afterId ?? ''} ${limit}`;
}

function cursorOf(next: PlatformCursor | null): string | null {
  return next === null ? null : encodeCursor(next);
}
