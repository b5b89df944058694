import { Query } from '@nestjs/cqrs';
import type { Actor } from '../../../domain/actor';
import type { ServicePlatform } from '../../../domain/service-platform.entity';

export class GetPlatformQuery extends Query<ServicePlatform> {
  constructor(
    readonly actor: Actor,
    readonly platformId: string,
  ) {
    super();
  }
}
