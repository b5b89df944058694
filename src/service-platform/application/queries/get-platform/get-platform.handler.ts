import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertUuid } from '../../../domain/identifiers';
import { PlatformNotFoundError } from '../../../domain/platform.errors';
import type { ServicePlatformDict } from '../../../domain/service-platform.entity';
import { accessFor } from '../../authz/platform-access';
import { platformSubject } from '../../authz/platform-ability';
import { PlatformViewCache } from '../../ports/platform-view-cache.port';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { GetPlatformQuery } from './get-platform.query';

/**
 * A platform's masked view, from the read cache when it holds one. A cached view is authorized
 * in memory by the same ability whose rules scope the database read, with the same outcome: a
 * platform the actor may not read is not found. A miss reads the database (scoped by the
 * ability) and caches what it found.
 */
@QueryHandler(GetPlatformQuery)
export class GetPlatformHandler implements IQueryHandler<GetPlatformQuery> {
  constructor(
    private readonly platforms: ServicePlatformRepository,
    private readonly cache: PlatformViewCache,
  ) {}

  async execute(query: GetPlatformQuery): Promise<ServicePlatformDict> {
    const platformId = assertUuid(query.platformId, 'platform_id');
    const access = accessFor(query.actor, 'read');
    const mark = this.cache.mark();
    const cached = await this.cache.get(platformId);
    if (cached !== undefined) {
      const record = { tenantId: cached.tenant_id, isActive: cached.is_active };
      if (!access.ability.can(access.action, platformSubject(record))) {
        throw new PlatformNotFoundError(platformId);
      }
      return cached;
    }
    const platform = await this.platforms.getById(platformId, access);
    if (platform === null) throw new PlatformNotFoundError(platformId);
    const view = platform.toDict();
    await this.cache.put(view, mark);
    return view;
  }
}
