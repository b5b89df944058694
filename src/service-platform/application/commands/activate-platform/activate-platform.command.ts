import { Command } from '@nestjs/cqrs';
import type { Actor } from '../../../domain/actor';
import type { ActivationChange } from '../../ports/service-platform.repository.port';

/** Idempotent: on a platform already in that state it changes nothing (`changed: false`). */
export class ActivatePlatformCommand extends Command<ActivationChange> {
  constructor(
    readonly actor: Actor,
    readonly platformId: string,
  ) {
    super();
  }
}
