import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertUuid } from '../../../domain/identifiers';
import {
  PlatformNotFoundError,
  RequestValidationError,
  VersionConflictError,
} from '../../../domain/platform.errors';
import type { ServicePlatform } from '../../../domain/service-platform.entity';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { scopeOf } from '../../tenant-scope';
import { UpdatePlatformCommand } from './update-platform.command';

/** Without a client-given version a concurrent writer is retried this many times, not lost. */
const MAX_ATTEMPTS = 3;

@CommandHandler(UpdatePlatformCommand)
export class UpdatePlatformHandler implements ICommandHandler<UpdatePlatformCommand> {
  constructor(private readonly platforms: ServicePlatformRepository) {}

  async execute(command: UpdatePlatformCommand): Promise<ServicePlatform> {
    const platformId = assertUuid(command.platformId, 'platform_id');
    const { expectedVersion } = command;
    if (
      expectedVersion !== undefined &&
      (!Number.isInteger(expectedVersion) || expectedVersion < 1)
    ) {
      throw new RequestValidationError('version must be a positive integer', [
        { field: 'version', message: 'must be a positive integer' },
      ]);
    }

    let conflict: VersionConflictError | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // Scoped to the actor's tenant: another tenant's platform is not found, so not writable.
      const current = await this.platforms.getById(platformId, scopeOf(command.actor));
      if (current === null) throw new PlatformNotFoundError(platformId);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new VersionConflictError(platformId, expectedVersion, current.version);
      }
      const next = current.updateConfig(command.patch, new Date());
      if (next === current) return current;
      try {
        return await this.platforms.update(next, current.version);
      } catch (error) {
        // The client pinned a version: report the conflict. Otherwise re-read and re-apply.
        if (!(error instanceof VersionConflictError) || expectedVersion !== undefined) throw error;
        conflict = error;
      }
    }
    throw conflict ?? new Error('unreachable');
  }
}
