import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertUuid } from '../../../domain/identifiers';
import { PlatformNotFoundError } from '../../../domain/platform.errors';
import type { ServicePlatform } from '../../../domain/service-platform.entity';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { accessFor } from '../../authz/platform-access';
import { GetPlatformQuery } from './get-platform.query';

@QueryHandler(GetPlatformQuery)
export class GetPlatformHandler implements IQueryHandler<GetPlatformQuery> {
  constructor(private readonly platforms: ServicePlatformRepository) {}

  async execute(query: GetPlatformQuery): Promise<ServicePlatform> {
    const platformId = assertUuid(query.platformId, 'platform_id');
    const platform = await this.platforms.getById(platformId, accessFor(query.actor, 'read'));
    if (platform === null) throw new PlatformNotFoundError(platformId);
    return platform;
  }
}
