import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertServiceName, assertUuid, newTimeOrderedId } from '../../../domain/identifiers';
import { PlatformConfiguration } from '../../../domain/platform-configuration.value-object';
import { ServicePlatform } from '../../../domain/service-platform.entity';
import { PlatformRegisteredEvent } from '../../../domain/events/platform-change.events';
import { EventOutbox } from '../../ports/event-outbox.port';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { PlatformViewCache } from '../../ports/platform-view-cache.port';
import { UnitOfWork } from '../../ports/unit-of-work.port';
import { EncryptionHealth } from '../../ports/encryption-health.port';
import { ServiceCatalog } from '../../catalog/service-catalog';
import { assertAllowed } from '../../authz/platform-access';
import { RegisterPlatformCommand } from './register-platform.command';

@CommandHandler(RegisterPlatformCommand)
export class RegisterPlatformHandler implements ICommandHandler<RegisterPlatformCommand> {
  constructor(
    private readonly platforms: ServicePlatformRepository,
    private readonly outbox: EventOutbox,
    private readonly unitOfWork: UnitOfWork,
    private readonly cache: PlatformViewCache,
    private readonly encryption: EncryptionHealth,
    private readonly catalog: ServiceCatalog,
  ) {}

  async execute(command: RegisterPlatformCommand): Promise<ServicePlatform> {
    // Taken before the transaction: see PlatformViewCache.mark().
    const mark = this.cache.mark();
    // An instance whose key ring does not fit the stored data writes nothing (503).
    await this.encryption.assertWritable();
    const tenantId = assertUuid(command.tenantId, 'tenant_id');
    const serviceName = assertServiceName(command.serviceName);
    // The tenant is named by the request: only an actor allowed to register there may.
    assertAllowed(command.actor, 'register', { tenantId, isActive: true });
    // The catalog decides which services exist, what each needs, and what it shows.
    this.catalog.assertRegistrable(serviceName);
    const config = PlatformConfiguration.create(command.config);
    this.catalog.assertValid(serviceName, config.toPlain());

    const platform = ServicePlatform.register({
      id: newTimeOrderedId(),
      tenantId,
      serviceName,
      config,
      secrets: this.catalog.secretsOf(serviceName),
      now: new Date(),
    });
    // The unique index on (tenant_id, service_name) decides: no check-then-insert race.
    // The row and its event commit together, or neither does.
    return this.unitOfWork.run(async () => {
      const created = await this.platforms.create(platform);
      await this.outbox.append(PlatformRegisteredEvent.of(created, command.actor.id));
      this.unitOfWork.afterCommit(() => this.cache.put(created.toDict(), mark));
      return created;
    });
  }
}
