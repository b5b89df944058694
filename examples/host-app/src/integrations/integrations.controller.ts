import { Controller, Get, Req } from '@nestjs/common';
import { ServicePlatformService } from 'service-platform';
import { toPlatformActor, type HostUser } from '../auth/host-user';

/**
 * A route of the host's own that uses the module in-process (the facade), whether or not the
 * module serves its REST routes.
 */
@Controller('integrations')
export class IntegrationsController {
  constructor(private readonly platforms: ServicePlatformService) {}

  /** The services the caller's organisation has connected and active. */
  @Get('connected')
  async connected(@Req() request: { user: HostUser }): Promise<{ services: string[] }> {
    const actor = toPlatformActor(request.user);
    if (actor === undefined) return { services: [] };
    const page = await this.platforms.listPlatforms(
      { tenant_id: request.user.organisationId, is_active: true },
      actor,
    );
    return { services: page.platforms.map((platform) => platform.service_name) };
  }
}
