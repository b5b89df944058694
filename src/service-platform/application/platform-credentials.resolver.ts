import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { checkActor, type Actor } from '../domain/actor';
import {
  ResolveCredentialsQuery,
  type ResolvedCredentials,
} from './queries/resolve-credentials/resolve-credentials.query';

/**
 * Decrypted credentials of a tenant's active platform, for integration flows. An inactive
 * platform is refused (`PlatformInactiveError`), an unknown one is not found.
 */
@Injectable()
export class PlatformCredentialsResolver {
  constructor(private readonly queryBus: QueryBus) {}

  /** For trusted in-process callers (the host app's own integration code). */
  resolve(tenantId: string, serviceName: string): Promise<ResolvedCredentials> {
    return this.queryBus.execute(new ResolveCredentialsQuery(null, tenantId, serviceName));
  }

  /** On behalf of a transport's caller: role `integration` (own tenant) or `platform-admin`. */
  async resolveFor(
    actor: Actor,
    tenantId: string,
    serviceName: string,
  ): Promise<ResolvedCredentials> {
    return this.queryBus.execute(
      new ResolveCredentialsQuery(checkActor(actor), tenantId, serviceName),
    );
  }
}
