import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertUuid } from '../../../domain/identifiers';
import { ConfigDecryptionError, PlatformNotFoundError } from '../../../domain/platform.errors';
import {
  ServicePlatformRepository,
  type ActivationChange,
} from '../../ports/service-platform.repository.port';
import { PlatformDeactivatedEvent } from '../../../domain/events/platform-change.events';
import { EventOutbox } from '../../ports/event-outbox.port';
import { PlatformViewCache } from '../../ports/platform-view-cache.port';
import { UnitOfWork } from '../../ports/unit-of-work.port';
import { EncryptionHealth } from '../../ports/encryption-health.port';
import { accessFor } from '../../authz/platform-access';
import { DeactivatePlatformCommand } from './deactivate-platform.command';

/** Inactive platforms keep their (tenant, service) slot but never reach integration flows. */
@CommandHandler(DeactivatePlatformCommand)
export class DeactivatePlatformHandler implements ICommandHandler<DeactivatePlatformCommand> {
  constructor(
    private readonly platforms: ServicePlatformRepository,
    private readonly outbox: EventOutbox,
    private readonly unitOfWork: UnitOfWork,
    private readonly cache: PlatformViewCache,
    private readonly encryption: EncryptionHealth,
  ) {}

  async execute(command: DeactivatePlatformCommand): Promise<ActivationChange> {
    // Taken before the transaction: see PlatformViewCache.mark().
    const mark = this.cache.mark();
    // No key-ring check first, unlike every other write: deactivating wraps and encrypts nothing
    // (it decrypts only to answer with the masked view), and it is the kill switch. An instance
    // whose ring falls short of the stored data (503 on the other writes) still resolves what its
    // keys open, so it must still be able to pull a leaked credential out of integration flows.
    // Activating stays refused there.
    const platformId = assertUuid(command.platformId, 'platform_id');
    // Only platforms the actor may deactivate are found: another tenant's answers not found.
    return this.deactivate(command, platformId, mark).catch(async (error: unknown) => {
      // A platform this instance's keys cannot open: when its ring does not fit the stored data,
      // that is the instance's fault and another may succeed (503, as for the other writes);
      // otherwise the stored configuration itself is at fault (500).
      if (error instanceof ConfigDecryptionError) await this.encryption.assertWritable();
      throw error;
    });
  }

  private deactivate(
    command: DeactivatePlatformCommand,
    platformId: string,
    mark: number,
  ): Promise<ActivationChange> {
    return this.unitOfWork.run(async () => {
      const change = await this.platforms.deactivate(
        platformId,
        accessFor(command.actor, 'deactivate'),
      );
      if (change === null) throw new PlatformNotFoundError(platformId);
      // Only a real change is an event: repeating the request is a no-op.
      if (change.changed) {
        await this.outbox.append(PlatformDeactivatedEvent.of(change.platform, command.actor.id));
        this.unitOfWork.afterCommit(() => this.cache.put(change.platform.toDict(), mark));
      }
      return change;
    });
  }
}
