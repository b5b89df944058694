import { Query } from '@nestjs/cqrs';
import type { Actor } from '../../../domain/actor';
import type { ServicePlatformDict } from '../../../domain/service-platform.entity';

export class GetPlatformQuery extends Query<ServicePlatformDict> {
  constructor(
    readonly actor: Actor,
    readonly platformId: string,
  ) {
    super();
  }
}
