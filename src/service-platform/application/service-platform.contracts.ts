import type { AuditAction } from '../domain/events/platform-event-type';
import type { FieldChanges } from '../domain/field-changes';
import type { PlatformConfigurationPatch } from '../domain/platform-configuration.value-object';
import type { ServicePlatformDict } from '../domain/service-platform.entity';

/**
 * The spec's request/response models, in its snake_case wire shape. Transports (REST, gRPC) and
 * host apps calling `ServicePlatformService` all speak these. Inputs are validated by the domain,
 * so a host app calling the facade directly gets the same checks as a REST client.
 */
export type PlatformResponse = ServicePlatformDict;

export interface RegisterPlatformRequest {
  tenant_id: string;
  service_name: string;
  config: {
    client_id: string;
    client_secret: string;
    tenant_id?: string;
    additional_data?: Record<string, unknown>;
  };
}

/** Options of the writes (register, update, deactivate, activate). */
export interface WriteOptions {
  /**
   * The client's idempotency key (1-255 printable ASCII characters): a retry with the same key
   * and the same request, by the same actor, within 24 h gets the first answer again and changes
   * nothing; the same key with another request is refused (IDEMPOTENCY_KEY_REUSED).
   */
  idempotencyKey?: string;
}

export interface GetPlatformRequest {
  platform_id: string;
}

export interface UpdatePlatformRequest {
  platform_id: string;
  config: PlatformConfigurationPatch;
  /** When given, the update applies only if the platform is still at this version. */
  version?: number;
}

export interface DeactivatePlatformRequest {
  platform_id: string;
}

export type ActivatePlatformRequest = DeactivatePlatformRequest;

export interface ListPlatformsRequest {
  tenant_id?: string;
  is_active?: boolean;
  service_name?: string;
  limit?: number;
  cursor?: string;
}

/** Answer of register, deactivate and activate. */
export interface PlatformChangeResponse {
  platform: PlatformResponse;
  success: true;
  message: string;
}

export type RegisterPlatformResponse = PlatformChangeResponse;
export type DeactivatePlatformResponse = PlatformChangeResponse;
export type ActivatePlatformResponse = PlatformChangeResponse;

export interface ListPlatformsResponse {
  platforms: PlatformResponse[];
  next_cursor: string | null;
}

export interface ListAuditEntriesRequest {
  platform_id: string;
  limit?: number;
  cursor?: string;
}

/** One audit entry (contract "Audit trail"). */
export interface AuditEntryResponse {
  id: string;
  platform_id: string;
  tenant_id: string;
  action: AuditAction;
  actor_id: string;
  /** Before/after per changed field; a secret field shows only `{"changed": true}`. */
  changes: FieldChanges;
  occurred_at: string;
  event_id: string;
}

export interface ListAuditEntriesResponse {
  entries: AuditEntryResponse[];
  next_cursor: string | null;
}

/** A link to a provider's own documentation of the credentials. */
export interface ServiceDocLinkResponse {
  title: string;
  url: string;
}

/** One service of the catalog, as a form or a client reads it (contract `GET /services`). */
export interface ServiceResponse {
  name: string;
  display_name: string;
  description: string;
  docs: ServiceDocLinkResponse[];
  /** JSON Schema (draft-07) of a platform's `config` for this service. */
  schema: Record<string, unknown>;
  /** Paths within `config`, e.g. `client_id`, `additional_data.phone_number_id`. */
  required_fields: string[];
  public_fields: string[];
  /** Declared secrets; any `additional_data` key not declared is a secret too. */
  secret_fields: string[];
}

export interface ListServicesResponse {
  services: ServiceResponse[];
}
