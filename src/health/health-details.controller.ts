import { Controller, ForbiddenException, Get, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { PLATFORM_ADMIN, type AuthenticatedUser } from '../auth';
import { ServicePlatformReadiness, type ServicePlatformReadinessReport } from '../service-platform';

/**
 * Readiness with what operators need to act on it: the reasons of `/health/ready` in detail,
 * naming master key and data key ids (never key material). Platform admins only.
 */
@ApiTags('health')
@ApiBearerAuth()
@Controller('health/details')
export class HealthDetailsController {
  constructor(private readonly readiness: ServicePlatformReadiness) {}

  @Get()
  @ApiOperation({
    operationId: 'getReadinessDetails',
    summary: 'Readiness in detail (key ids of a failing key ring); platform admins only',
  })
  @ApiOkResponse({ description: 'The readiness report, with `detail` on failing components' })
  @ApiForbiddenResponse({ description: 'Only platform admins may read it' })
  details(@Req() request: { user?: AuthenticatedUser }): Promise<ServicePlatformReadinessReport> {
    if (request.user?.roles.includes(PLATFORM_ADMIN) !== true) throw new ForbiddenException();
    return this.readiness.check();
  }
}
