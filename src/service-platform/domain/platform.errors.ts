import { PlatformErrorCode } from './platform-error-code';

/** One invalid field of a request: `field` is the path as the client wrote it (`config.client_id`). */
export interface FieldViolation {
  readonly field: string;
  readonly message: string;
}

/** Base of every error the module raises on purpose (the spec's `PlatformServiceError`). */
export abstract class PlatformServiceError extends Error {
  abstract readonly code: PlatformErrorCode;

  protected constructor(
    message: string,
    readonly details: readonly FieldViolation[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request itself is malformed (wrong types, unknown fields, bad ids, bad cursor...). */
export class RequestValidationError extends PlatformServiceError {
  readonly code = PlatformErrorCode.ValidationFailed;

  constructor(message: string, details: readonly FieldViolation[] = []) {
    super(message, details);
  }
}

/** The configuration breaks a business rule (missing credentials, bad additional data...). */
export class InvalidPlatformConfigError extends PlatformServiceError {
  readonly code = PlatformErrorCode.InvalidPlatformConfig;

  constructor(details: readonly FieldViolation[]) {
    super(
      `Invalid platform configuration: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`,
      details,
    );
  }
}

export class PlatformAlreadyExistsError extends PlatformServiceError {
  readonly code = PlatformErrorCode.PlatformAlreadyExists;

  constructor(
    readonly tenantId: string,
    readonly serviceName: string,
    existingIsActive: boolean | undefined,
  ) {
    super(
      existingIsActive === false
        ? `Tenant ${tenantId} already has a '${serviceName}' platform; it is inactive and can be activated instead of registered again`
        : `Tenant ${tenantId} already has a '${serviceName}' platform`,
    );
  }
}

export class PlatformNotFoundError extends PlatformServiceError {
  readonly code = PlatformErrorCode.PlatformNotFound;

  constructor(readonly platformId: string) {
    super(`Platform ${platformId} not found`);
  }
}

/** The client's expected version is not the stored one: nothing was written. */
export class VersionConflictError extends PlatformServiceError {
  readonly code = PlatformErrorCode.VersionConflict;

  constructor(
    readonly platformId: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(
      `Platform ${platformId} is at version ${currentVersion}, not ${expectedVersion}; re-read it and retry`,
    );
  }
}

/** No authenticated caller: the host app left no `request.user` (or the token was refused). */
export class UnauthenticatedError extends PlatformServiceError {
  readonly code = PlatformErrorCode.Unauthenticated;

  constructor(message = 'Authentication required') {
    super(message);
  }
}

/** The platform exists but is deactivated: it never reaches integration flows. */
export class PlatformInactiveError extends PlatformServiceError {
  readonly code = PlatformErrorCode.PlatformInactive;

  constructor(
    readonly tenantId: string,
    readonly serviceName: string,
  ) {
    super(
      `The '${serviceName}' platform of tenant ${tenantId} is inactive; activate it to use its credentials`,
    );
  }
}

/** The actor's roles do not allow the action (on that tenant). */
export class PermissionDeniedError extends PlatformServiceError {
  readonly code = PlatformErrorCode.Forbidden;

  constructor(message: string) {
    super(message);
  }
}

/**
 * A stored configuration cannot be decrypted (unknown key id, tampered or misplaced ciphertext).
 * Never answered with empty credentials; the message names no key material.
 */
export class ConfigDecryptionError extends PlatformServiceError {
  readonly code = PlatformErrorCode.ConfigDecryptionFailed;

  constructor(reason: string) {
    super(`Stored platform configuration cannot be decrypted: ${reason}`);
  }
}

/** Storage (or another dependency the request needs) is unreachable. */
export class ServiceUnavailableError extends PlatformServiceError {
  readonly code = PlatformErrorCode.ServiceUnavailable;

  constructor(message = 'The platform store is unavailable; retry later') {
    super(message);
  }
}
