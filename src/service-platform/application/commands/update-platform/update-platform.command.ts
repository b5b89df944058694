import { Command } from '@nestjs/cqrs';
import type { Actor } from '../../../domain/actor';
import type { PlatformConfigurationPatch } from '../../../domain/platform-configuration.value-object';
import type { ServicePlatform } from '../../../domain/service-platform.entity';

/**
 * Changes part of a platform's configuration. With `expectedVersion` the change is applied only
 * if the platform is still at that version (`VersionConflictError` otherwise).
 */
export class UpdatePlatformCommand extends Command<ServicePlatform> {
  constructor(
    readonly actor: Actor,
    readonly platformId: string,
    readonly patch: PlatformConfigurationPatch,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
