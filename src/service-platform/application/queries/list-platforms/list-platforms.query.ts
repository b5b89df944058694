import { Query } from '@nestjs/cqrs';
import type { Actor } from '../../../domain/actor';
import type { ServicePlatformDict } from '../../../domain/service-platform.entity';

export interface ListPlatformsFilter {
  /** Defaults to the actor's tenant; a platform admin may leave it out to list every tenant. */
  readonly tenantId?: string;
  readonly isActive?: boolean;
  readonly serviceName?: string;
  /** 1 to 200, default 50. */
  readonly limit?: number;
  /** Opaque `next_cursor` of the previous page. */
  readonly cursor?: string;
}

export interface ListPlatformsResult {
  /** Masked views, as `toDict()` gives them. */
  readonly platforms: readonly ServicePlatformDict[];
  readonly nextCursor: string | null;
}

/** A tenant's platforms in registration order, inactive ones included unless filtered out. */
export class ListPlatformsQuery extends Query<ListPlatformsResult> {
  constructor(
    readonly actor: Actor,
    readonly filter: ListPlatformsFilter,
  ) {
    super();
  }
}
