import type { ResolvedCredentials } from '../../application/queries/resolve-credentials/resolve-credentials.query';
import { deepFreeze } from '../../domain/deep-freeze';
import type {
  ListPlatformsResponse,
  PlatformChangeResponse,
  PlatformResponse,
} from '../../application/service-platform.contracts';
import {
  InvalidPlatformConfigError,
  RequestValidationError,
  type FieldViolation,
} from '../../domain/platform.errors';
import type {
  ListPlatformsRequestMessage,
  ListPlatformsResponseMessage,
  PlatformChangeResponseMessage,
  PlatformConfigurationMessage,
  PlatformResponseMessage,
  RegisterPlatformRequestMessage,
  ResolveCredentialsResponseMessage,
  UpdatePlatformRequestMessage,
} from './platform-service.messages';
import { StructMapper } from './struct.mapper';

const MESSAGES_OF_FROZEN_VIEWS = new WeakMap<PlatformResponse, PlatformResponseMessage>();

/** A request body or query as the REST API receives it, before validation. */
export type RestShapedRequest = Record<string, unknown>;

/**
 * Translates protobuf messages to the REST API's request shapes (then validated by the same
 * DTOs as REST, see `GrpcRequestValidator`) and the facade's answers back to messages. It checks
 * only what the wire format adds (a Struct that is not JSON, contradictory flags); every other
 * rule is the REST DTOs' and the domain's.
 */
export class PlatformGrpcMapper {
  /** The REST body of `POST /platforms`. */
  static toRegisterBody(message: RegisterPlatformRequestMessage): RestShapedRequest {
    const violations: FieldViolation[] = [];
    const config = message.config;
    const additionalData =
      config?.additional_data === undefined
        ? undefined
        : StructMapper.toJson(config.additional_data, 'config.additional_data', violations);
    throwIfAny(violations);
    return definedOnly({
      tenant_id: message.tenant_id,
      service_name: message.service_name,
      config:
        config === undefined
          ? undefined
          : definedOnly({
              client_id: config.client_id,
              client_secret: config.client_secret,
              tenant_id: config.tenant_id,
              additional_data: additionalData,
            }),
    });
  }

  /** The REST body of `PUT /platforms/{platform_id}` (`{config, version?}`). */
  static toUpdateBody(message: UpdatePlatformRequestMessage): RestShapedRequest {
    const violations: FieldViolation[] = [];
    const config = message.config;
    let patch: Record<string, unknown> | undefined;
    if (config !== undefined) {
      patch = definedOnly({ client_id: config.client_id, client_secret: config.client_secret });
      if (config.remove_tenant_id === true) {
        if (config.tenant_id !== undefined) {
          violations.push({
            field: 'config.remove_tenant_id',
            message: 'must not be set together with config.tenant_id',
          });
        }
        patch.tenant_id = null;
      } else if (config.tenant_id !== undefined) {
        patch.tenant_id = config.tenant_id;
      }
      if (config.remove_additional_data === true) {
        if (config.additional_data !== undefined) {
          violations.push({
            field: 'config.remove_additional_data',
            message: 'must not be set together with config.additional_data',
          });
        }
        patch.additional_data = null;
      } else if (config.additional_data !== undefined) {
        patch.additional_data = StructMapper.toJson(
          config.additional_data,
          'config.additional_data',
          violations,
        );
      }
    }
    throwIfAny(violations);
    return definedOnly({ config: patch, version: message.version });
  }

  /** The REST query of `GET /platforms`. */
  static toListQuery(message: ListPlatformsRequestMessage): RestShapedRequest {
    return definedOnly({
      tenant_id: message.tenant_id,
      is_active: message.is_active,
      service_name: message.service_name,
      limit: message.limit,
      cursor: message.cursor,
    });
  }

  /**
   * A frozen view (the read cache's, shared and never changed) is mapped once: its message is
   * kept beside it for as long as the view lives, and frozen too.
   */
  static toPlatformMessage(platform: PlatformResponse): PlatformResponseMessage {
    const frozen = Object.isFrozen(platform);
    const known = frozen ? MESSAGES_OF_FROZEN_VIEWS.get(platform) : undefined;
    if (known !== undefined) return known;
    const message: PlatformResponseMessage = {
      id: platform.id,
      tenant_id: platform.tenant_id,
      service_name: platform.service_name,
      config: StructMapper.fromJson(platform.config),
      is_active: platform.is_active,
      version: platform.version,
      created_at: platform.created_at,
      updated_at: platform.updated_at,
    };
    if (frozen) MESSAGES_OF_FROZEN_VIEWS.set(platform, deepFreeze(message));
    return message;
  }

  static toChangeMessage(response: PlatformChangeResponse): PlatformChangeResponseMessage {
    return {
      platform: PlatformGrpcMapper.toPlatformMessage(response.platform),
      success: response.success,
      message: response.message,
    };
  }

  static toListMessage(response: ListPlatformsResponse): ListPlatformsResponseMessage {
    return {
      platforms: response.platforms.map((platform) =>
        PlatformGrpcMapper.toPlatformMessage(platform),
      ),
      ...(response.next_cursor !== null && { next_cursor: response.next_cursor }),
    };
  }

  /** The decrypted configuration: the one answer with plaintext secrets. */
  static toCredentialsMessage(resolved: ResolvedCredentials): ResolveCredentialsResponseMessage {
    const { config } = resolved;
    const message: PlatformConfigurationMessage = {
      client_id: config.client_id,
      client_secret: config.client_secret,
      ...(config.tenant_id !== undefined && { tenant_id: config.tenant_id }),
      ...(config.additional_data !== undefined && {
        additional_data: StructMapper.fromJson(config.additional_data),
      }),
    };
    return {
      platform_id: resolved.platform_id,
      tenant_id: resolved.tenant_id,
      service_name: resolved.service_name,
      version: resolved.version,
      config: message,
    };
  }
}

/** The object without its undefined members (a proto field left out = a JSON member left out). */
function definedOnly(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** Problems inside `config` only → INVALID_PLATFORM_CONFIG, else VALIDATION_FAILED (as REST). */
function throwIfAny(violations: FieldViolation[]): void {
  if (violations.length === 0) return;
  if (violations.every((violation) => violation.field.startsWith('config.'))) {
    throw new InvalidPlatformConfigError(violations);
  }
  throw new RequestValidationError(
    `Invalid request: ${violations.map((v) => `${v.field} ${v.message}`).join('; ')}`,
    violations,
  );
}
