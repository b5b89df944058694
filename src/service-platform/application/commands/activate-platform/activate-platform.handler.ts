import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertUuid } from '../../../domain/identifiers';
import { PlatformNotFoundError } from '../../../domain/platform.errors';
import {
  ServicePlatformRepository,
  type ActivationChange,
} from '../../ports/service-platform.repository.port';
import { accessFor } from '../../authz/platform-access';
import { ActivatePlatformCommand } from './activate-platform.command';

/** Brings a deactivated platform back into integration flows. */
@CommandHandler(ActivatePlatformCommand)
export class ActivatePlatformHandler implements ICommandHandler<ActivatePlatformCommand> {
  constructor(private readonly platforms: ServicePlatformRepository) {}

  async execute(command: ActivatePlatformCommand): Promise<ActivationChange> {
    const platformId = assertUuid(command.platformId, 'platform_id');
    const change = await this.platforms.activate(platformId, accessFor(command.actor, 'activate'));
    if (change === null) throw new PlatformNotFoundError(platformId);
    return change;
  }
}
