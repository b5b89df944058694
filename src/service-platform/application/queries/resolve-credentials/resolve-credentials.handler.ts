import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertServiceName, assertUuid } from '../../../domain/identifiers';
import {
  PermissionDeniedError,
  PlatformInactiveError,
  PlatformNotFoundError,
} from '../../../domain/platform.errors';
import { abilityFor, platformSubject } from '../../authz/platform-ability';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { ResolveCredentialsQuery, type ResolvedCredentials } from './resolve-credentials.query';

/**
 * The one code path that hands out decrypted secrets. Inactive platforms never reach an
 * integration flow; a platform the actor may not resolve is reported as not found.
 */
@QueryHandler(ResolveCredentialsQuery)
export class ResolveCredentialsHandler implements IQueryHandler<ResolveCredentialsQuery> {
  constructor(private readonly platforms: ServicePlatformRepository) {}

  async execute(query: ResolveCredentialsQuery): Promise<ResolvedCredentials> {
    const tenantId = assertUuid(query.tenantId, 'tenant_id');
    const serviceName = assertServiceName(query.serviceName);
    const ability = query.actor === null ? null : abilityFor(query.actor);
    if (ability !== null && !ability.can('resolve', 'ServicePlatform')) {
      throw new PermissionDeniedError('Your roles do not allow resolving credentials');
    }

    // Authorised before the lookup (the answer must not depend on whether another tenant has the
    // service, nor cost a decryption of its row). The state is left out of this check, so that
    // a caller learns "inactive" only about its own tenant's platforms.
    if (
      ability !== null &&
      !ability.can('resolve', platformSubject({ tenantId, isActive: true }))
    ) {
      throw new PlatformNotFoundError(`'${serviceName}' of tenant ${tenantId}`);
    }
    const platform = await this.platforms.getByTenantService(tenantId, serviceName);
    if (platform === null) {
      throw new PlatformNotFoundError(`'${serviceName}' of tenant ${tenantId}`);
    }
    if (!platform.isActive) throw new PlatformInactiveError(tenantId, serviceName);
    return {
      platform_id: platform.id,
      tenant_id: platform.tenantId,
      service_name: platform.serviceName,
      version: platform.version,
      config: platform.config.toPlain(),
    };
  }
}
