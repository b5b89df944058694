/**
 * Public API of the Service Platform module: what a host app needs, and nothing else. Anything
 * not exported here is internal and may change in any release.
 */

// The module and its options.
export { ServicePlatformModule } from './service-platform.module';
export type {
  ServicePlatformModuleOptions,
  ServicePlatformModuleExtras,
  ServicePlatformDatabaseOptions,
  ServicePlatformRedisOptions,
} from './service-platform.options';
export type {
  ServicePlatformForRootOptions,
  ServicePlatformForRootAsyncOptions,
  ServicePlatformOptionsFactory,
} from './service-platform.module-definition';
export {
  DEFAULT_OUTBOX_RELAY_SETTINGS,
  type OutboxRelaySettings,
} from './application/events/outbox-relay.settings';
export type { ServiceCatalogOptions } from './application/catalog/service-catalog';
export type {
  ServiceDefinition,
  ServiceFieldDefinition,
  ServiceDocLink,
  ServiceDescription,
  JsonSchema,
} from './domain/catalog/service-definition';

// What it serves in-process.
export { ServicePlatformService } from './application/service-platform.service';
export type * from './application/service-platform.contracts';
export { PlatformCredentialsResolver } from './application/platform-credentials.resolver';
export type { ResolvedCredentials } from './application/queries/resolve-credentials/resolve-credentials.query';
export {
  ServicePlatformReadiness,
  type ServicePlatformReadinessReport,
  type ComponentStatus,
} from './application/health/service-platform-readiness';
export {
  ServicePlatformMetrics,
  type ServicePlatformMetricsSnapshot,
} from './application/metrics/service-platform-metrics';
export { HistoryRemasker, type RemaskSummary } from './application/catalog/history-remasker';

// Events (each change, once, to the host's @EventsHandlers after commit; and to Redis).
export {
  PlatformChangeEvent,
  PlatformRegisteredEvent,
  PlatformUpdatedEvent,
  PlatformDeactivatedEvent,
  PlatformActivatedEvent,
  PLATFORM_CHANGE_EVENTS,
  type PlatformEventPayload,
} from './domain/events/platform-change.events';
export { PlatformEventType } from './domain/events/platform-event-type';
export { KeysRotatedEvent, type KeysRotatedDetails } from './application/events/keys-rotated.event';

// Errors.
export { PlatformErrorCode } from './domain/platform-error-code';
export {
  PlatformServiceError,
  PlatformAlreadyExistsError,
  PlatformNotFoundError,
  InvalidPlatformConfigError,
  PlatformInactiveError,
  type FieldViolation,
} from './domain/platform.errors';

// Who is asking.
export type { Actor } from './domain/actor';
export { Role } from './application/authz/platform-ability';
export type { AuthenticatedUser } from './interface/authz/request-actor';

// gRPC.
export {
  servicePlatformGrpcOptions,
  SERVICE_PLATFORM_GRPC_PACKAGE,
  SERVICE_PLATFORM_PROTO_PATH,
  SERVICE_PLATFORM_PROTO_LOADER_OPTIONS,
  type ServicePlatformGrpcServerOptions,
} from './interface/grpc/service-platform.grpc-options';
export { ServicePlatformGrpcHealth } from './interface/grpc/service-platform-grpc-health';
export { toStruct, fromStruct, type JsonValue, type ProtobufStruct } from './interface/grpc/struct';

// Key rotation, a module of its own (`npx service-platform keys:rotate` runs it).
export {
  ServicePlatformKeyRotationModule,
  type ServicePlatformKeyRotationOptions,
} from './service-platform-key-rotation.module';
export {
  KeyRotationService,
  type RotationOptions,
  type RotationProgress,
  type RotationSummary,
} from './application/key-rotation/key-rotation.service';
export { RotationInterruptedError } from './application/key-rotation/rotation-interrupted.error';
