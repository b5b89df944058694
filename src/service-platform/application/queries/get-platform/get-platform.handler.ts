import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertUuid } from '../../../domain/identifiers';
import { PlatformNotFoundError } from '../../../domain/platform.errors';
import type { ServicePlatformDict } from '../../../domain/service-platform.entity';
import { accessFor } from '../../authz/platform-access';
import { platformSubject } from '../../authz/platform-ability';
import { PlatformViewCache } from '../../ports/platform-view-cache.port';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { ServicePlatformMetrics } from '../../metrics/service-platform-metrics';
import { GetPlatformQuery } from './get-platform.query';
import { ServiceCatalog, shownByCatalog } from '../../catalog/service-catalog';

/**
 * A platform's masked view, from the read cache when it holds one the actor may read (by the
 * same ability whose rules scope the database read). Anything else reads the database, scoped
 * by the ability, and caches what it found: a platform the actor may not read is not found, in
 * the same way and the same time as one that does not exist.
 */
@QueryHandler(GetPlatformQuery)
export class GetPlatformHandler implements IQueryHandler<GetPlatformQuery> {
  constructor(
    private readonly platforms: ServicePlatformRepository,
    private readonly cache: PlatformViewCache,
    private readonly metrics: ServicePlatformMetrics,
    private readonly catalog: ServiceCatalog,
  ) {}

  async execute(query: GetPlatformQuery): Promise<ServicePlatformDict> {
    const platformId = assertUuid(query.platformId, 'platform_id');
    const access = accessFor(query.actor, 'read');
    const mark = this.cache.mark();
    // Another tenant's cached platform is a miss, read from the database like an unknown id:
    // answering it faster would tell that it exists.
    const cached = await this.cache.get(platformId, (view) =>
      access.ability.can(
        access.action,
        platformSubject({ tenantId: view.tenant_id, isActive: view.is_active }),
      ),
    );
    this.metrics.recordCacheLookup(cached !== undefined);
    // A cached view was masked by the rules of whichever instance cached it (Redis outlives a
    // restart with a tightened catalog): it is shown by this instance's rules.
    if (cached !== undefined) return shownByCatalog(cached, this.catalog);
    const platform = await this.platforms.getById(platformId, access);
    if (platform === null) throw new PlatformNotFoundError(platformId);
    const view = platform.toDict();
    await this.cache.put(view, mark);
    return view;
  }
}
