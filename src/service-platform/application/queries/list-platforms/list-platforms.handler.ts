import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertServiceName, assertUuid } from '../../../domain/identifiers';
import { RequestValidationError } from '../../../domain/platform.errors';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { assertTenantAccess } from '../../tenant-scope';
import { ListPlatformsQuery, type ListPlatformsResult } from './list-platforms.query';
import { decodeCursor, encodeCursor } from './platform-cursor.codec';

export const LIST_LIMIT = { default: 50, max: 200 } as const;

@QueryHandler(ListPlatformsQuery)
export class ListPlatformsHandler implements IQueryHandler<ListPlatformsQuery> {
  constructor(private readonly platforms: ServicePlatformRepository) {}

  async execute(query: ListPlatformsQuery): Promise<ListPlatformsResult> {
    const { actor, filter } = query;
    const requestedTenant = filter.tenantId ?? actor.tenantId;
    if (requestedTenant === null || requestedTenant === undefined) {
      throw new RequestValidationError('tenant_id is required', [
        { field: 'tenant_id', message: 'is required' },
      ]);
    }
    const tenantId = assertUuid(requestedTenant, 'tenant_id');
    assertTenantAccess(actor, tenantId);

    const limit = filter.limit ?? LIST_LIMIT.default;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT.max) {
      throw new RequestValidationError(`limit must be an integer from 1 to ${LIST_LIMIT.max}`, [
        { field: 'limit', message: `must be an integer from 1 to ${LIST_LIMIT.max}` },
      ]);
    }

    const page = await this.platforms.listByTenant({
      tenantId,
      limit,
      ...(filter.isActive !== undefined && { isActive: filter.isActive }),
      ...(filter.serviceName !== undefined && {
        serviceName: assertServiceName(filter.serviceName),
      }),
      ...(filter.cursor !== undefined && { after: decodeCursor(filter.cursor) }),
    });
    return {
      platforms: page.items,
      nextCursor: page.next === null ? null : encodeCursor(page.next),
    };
  }
}
