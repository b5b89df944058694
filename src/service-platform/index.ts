/**
 * Public API of the Service Platform module. Host apps import from here and nowhere else.
 */
export { ServicePlatformModule } from './service-platform.module';
export type { ServicePlatformModuleOptions } from './service-platform.options';
export { ServicePlatformService } from './application/service-platform.service';
export { PlatformCredentialsResolver } from './application/platform-credentials.resolver';
export type { ResolvedCredentials } from './application/queries/resolve-credentials/resolve-credentials.query';
export type * from './application/service-platform.contracts';
export {
  ServicePlatformReadiness,
  type ServicePlatformReadinessReport,
  type ComponentStatus,
} from './application/health/service-platform-readiness';
export type { Actor } from './domain/actor';
export { PlatformErrorCode } from './domain/platform-error-code';
export {
  PlatformServiceError,
  PlatformAlreadyExistsError,
  PlatformNotFoundError,
  InvalidPlatformConfigError,
  RequestValidationError,
  VersionConflictError,
  PermissionDeniedError,
  ConfigDecryptionError,
  ServiceUnavailableError,
  UnauthenticatedError,
  PlatformInactiveError,
  type FieldViolation,
} from './domain/platform.errors';
export { MASKED_SECRET } from './domain/secret-fields';
export { ServicePlatformHttpExceptionFilter } from './interface/errors/http-exception.filter';
export { toErrorBody, type ErrorBody } from './interface/errors/error-body';
export { type AuthenticatedUser } from './interface/authz/request-actor';
export { Role, type PlatformAction } from './application/authz/platform-ability';
export { KeyRing, InvalidKeyRingError } from './infrastructure/crypto/key-ring';
export {
  KeyRotationService,
  type RotationOptions,
  type RotationProgress,
  type RotationSummary,
} from './application/key-rotation/key-rotation.service';
export { RotationInterruptedError } from './application/key-rotation/rotation-interrupted.error';
export { KeysRotatedEvent, type KeysRotatedDetails } from './application/events/keys-rotated.event';
export {
  PlatformChangeEvent,
  PlatformRegisteredEvent,
  PlatformUpdatedEvent,
  PlatformDeactivatedEvent,
  PlatformActivatedEvent,
  PLATFORM_CHANGE_EVENTS,
  type PlatformEventPayload,
} from './domain/events/platform-change.events';
export {
  PlatformEventType,
  PLATFORM_EVENT_TYPES,
  AuditAction,
} from './domain/events/platform-event-type';
export type { FieldChange, FieldChanges } from './domain/field-changes';
export { OutboxRelay } from './application/events/outbox-relay';
export {
  DEFAULT_OUTBOX_RELAY_SETTINGS,
  type OutboxRelaySettings,
} from './application/events/outbox-relay.settings';
export {
  ServicePlatformRpcExceptionFilter,
  toRpcError,
  ERROR_CODE_METADATA_KEY,
  type ServicePlatformRpcError,
} from './interface/errors/rpc-exception.filter';
export {
  servicePlatformGrpcOptions,
  SERVICE_PLATFORM_GRPC_PACKAGE,
  SERVICE_PLATFORM_PROTO_PATH,
  SERVICE_PLATFORM_PROTO_LOADER_OPTIONS,
  type ServicePlatformGrpcServerOptions,
} from './interface/grpc/service-platform.grpc-options';
export {
  ServicePlatformGrpcHealth,
  SERVICE_PLATFORM_GRPC_SERVICE,
} from './interface/grpc/service-platform-grpc-health';
export { HistoryRemasker, type RemaskSummary } from './application/catalog/history-remasker';
