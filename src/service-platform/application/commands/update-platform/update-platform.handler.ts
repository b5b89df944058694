import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertUuid } from '../../../domain/identifiers';
import {
  PlatformNotFoundError,
  RequestValidationError,
  VersionConflictError,
} from '../../../domain/platform.errors';
import type { ServicePlatform } from '../../../domain/service-platform.entity';
import { PlatformUpdatedEvent } from '../../../domain/events/platform-change.events';
import { EventOutbox } from '../../ports/event-outbox.port';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { PlatformViewCache } from '../../ports/platform-view-cache.port';
import { UnitOfWork } from '../../ports/unit-of-work.port';
import { EncryptionHealth } from '../../ports/encryption-health.port';
import { ServiceCatalog } from '../../catalog/service-catalog';
import { accessFor } from '../../authz/platform-access';
import { UpdatePlatformCommand } from './update-platform.command';

@CommandHandler(UpdatePlatformCommand)
export class UpdatePlatformHandler implements ICommandHandler<UpdatePlatformCommand> {
  constructor(
    private readonly platforms: ServicePlatformRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly cache: PlatformViewCache,
    private readonly outbox: EventOutbox,
    private readonly encryption: EncryptionHealth,
    private readonly catalog: ServiceCatalog,
  ) {}

  async execute(command: UpdatePlatformCommand): Promise<ServicePlatform> {
    // Taken before the transaction: see PlatformViewCache.mark().
    const mark = this.cache.mark();
    // An instance whose key ring does not fit the stored data writes nothing (503).
    await this.encryption.assertWritable();
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

    // The row stays locked from the read to the write: concurrent updates take turns and none
    // is lost; only a client-given stale version is refused.
    return this.unitOfWork.run(async () => {
      const current = await this.platforms.getById(platformId, accessFor(command.actor, 'update'), {
        forUpdate: true,
      });
      if (current === null) throw new PlatformNotFoundError(platformId);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new VersionConflictError(platformId, expectedVersion, current.version);
      }
      const next = current.updateConfig(command.patch, new Date());
      // A change that changes nothing is no change: no new version, no event.
      if (next === current) return current;
      // The merged configuration must still be what its service needs.
      this.catalog.assertValid(next.serviceName, next.config.toPlain());
      const updated = await this.platforms.update(next, current.version);
      await this.outbox.append(PlatformUpdatedEvent.of(current, updated, command.actor.id));
      this.unitOfWork.afterCommit(() => this.cache.put(updated.toDict(), mark));
      return updated;
    });
  }
}
