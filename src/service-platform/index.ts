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
