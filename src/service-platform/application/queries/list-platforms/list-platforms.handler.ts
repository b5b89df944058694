import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertServiceName, assertUuid } from '../../../domain/identifiers';
import { RequestValidationError } from '../../../domain/platform.errors';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { Role } from '../../authz/platform-ability';
import { accessFor, assertAllowed } from '../../authz/platform-access';
import { ListPlatformsQuery, type ListPlatformsResult } from './list-platforms.query';
import { decodeCursor, encodeCursor } from './platform-cursor.codec';

export const LIST_LIMIT = { default: 50, max: 200 } as const;

@QueryHandler(ListPlatformsQuery)
export class ListPlatformsHandler implements IQueryHandler<ListPlatformsQuery> {
  constructor(private readonly platforms: ServicePlatformRepository) {}

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

    const page = await this.platforms.listByTenant(
      {
        ...(tenantId !== undefined && { tenantId }),
        limit,
        ...(filter.isActive !== undefined && { isActive: filter.isActive }),
        ...(filter.serviceName !== undefined && {
          serviceName: assertServiceName(filter.serviceName),
        }),
        ...(filter.cursor !== undefined && { after: decodeCursor(filter.cursor) }),
      },
      access,
    );
    return {
      platforms: page.items,
      nextCursor: page.next === null ? null : encodeCursor(page.next),
    };
  }
}
