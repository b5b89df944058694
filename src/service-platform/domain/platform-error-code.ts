/**
 * Every error the module reports carries one of these codes. The transports map each code to a
 * status in one typed table (interface/errors/error-status.table.ts): adding a code here without
 * mapping it there does not compile.
 */
export const PlatformErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  InvalidPlatformConfig: 'INVALID_PLATFORM_CONFIG',
  PlatformAlreadyExists: 'PLATFORM_ALREADY_EXISTS',
  PlatformNotFound: 'PLATFORM_NOT_FOUND',
  VersionConflict: 'VERSION_CONFLICT',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  PlatformInactive: 'PLATFORM_INACTIVE',
  ConfigDecryptionFailed: 'CONFIG_DECRYPTION_FAILED',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyInProgress: 'IDEMPOTENCY_IN_PROGRESS',
  ServiceNotFound: 'SERVICE_NOT_FOUND',
} as const;

export type PlatformErrorCode = (typeof PlatformErrorCode)[keyof typeof PlatformErrorCode];
