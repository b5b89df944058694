import { Command } from '@nestjs/cqrs';
import type { Actor } from '../../../domain/actor';
import type { ServicePlatform } from '../../../domain/service-platform.entity';

/** Registers a service for a tenant. Inputs are untrusted: the handler validates them all. */
export class RegisterPlatformCommand extends Command<ServicePlatform> {
  constructor(
    readonly actor: Actor,
    readonly tenantId: string,
    readonly serviceName: string,
    readonly config: unknown,
  ) {
    super();
  }
}
