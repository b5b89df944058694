import { Query } from '@nestjs/cqrs';
import type { Actor } from '../../../domain/actor';
import type { PlatformConfigurationData } from '../../../domain/platform-configuration.value-object';

/**
 * The decrypted configuration of an active platform, for integration flows. The only answer of
 * the module that carries plaintext secrets: never log it, never send it to a browser.
 */
export interface ResolvedCredentials {
  readonly platform_id: string;
  readonly tenant_id: string;
  readonly service_name: string;
  readonly version: number;
  readonly config: PlatformConfigurationData;
}

/** `actor` null: a trusted in-process caller; otherwise the actor must be allowed to `resolve`. */
export class ResolveCredentialsQuery extends Query<ResolvedCredentials> {
  constructor(
    readonly actor: Actor | null,
    readonly tenantId: string,
    readonly serviceName: string,
  ) {
    super();
  }
}
