/**
 * Public API of the Service Platform module. Host apps import from here and nowhere else.
 */
export { ServicePlatformModule } from './service-platform.module';
export type { ServicePlatformModuleOptions } from './service-platform.options';
export { ServicePlatformService } from './application/service-platform.service';
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
  type FieldViolation,
} from './domain/platform.errors';
export { MASKED_SECRET } from './domain/secret-fields';
export { ServicePlatformHttpExceptionFilter } from './interface/errors/http-exception.filter';
export { toErrorBody, type ErrorBody } from './interface/errors/error-body';
export { ANONYMOUS_ACTOR, type AuthenticatedUser } from './interface/http/current-actor.decorator';
export { KeyRing, InvalidKeyRingError } from './infrastructure/crypto/key-ring';
