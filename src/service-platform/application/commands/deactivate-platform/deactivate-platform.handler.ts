import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertUuid } from '../../../domain/identifiers';
import { PlatformNotFoundError } from '../../../domain/platform.errors';
import {
  ServicePlatformRepository,
  type ActivationChange,
} from '../../ports/service-platform.repository.port';
import { accessFor } from '../../authz/platform-access';
import { DeactivatePlatformCommand } from './deactivate-platform.command';

/** Inactive platforms keep their (tenant, service) slot but never reach integration flows. */
@CommandHandler(DeactivatePlatformCommand)
export class DeactivatePlatformHandler implements ICommandHandler<DeactivatePlatformCommand> {
  constructor(private readonly platforms: ServicePlatformRepository) {}

  async execute(command: DeactivatePlatformCommand): Promise<ActivationChange> {
    const platformId = assertUuid(command.platformId, 'platform_id');
    // Only platforms the actor may deactivate are found: another tenant's answers not found.
    const change = await this.platforms.deactivate(
      platformId,
      accessFor(command.actor, 'deactivate'),
    );
    if (change === null) throw new PlatformNotFoundError(platformId);
    return change;
  }
}
