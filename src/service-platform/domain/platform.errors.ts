import { PlatformErrorCode } from './platform-error-code';

/** One invalid field of a request: `field` is the path as the client wrote it (`config.client_id`). */
export interface FieldViolation {
  readonly field: string;
  readonly message: string;
}

/** Base of every error the module raises on purpose (the spec's `PlatformServiceError`). */
export abstract class PlatformServiceError extends Error {
  abstract readonly code: PlatformErrorCode;
  /**
   * What the operator needs beyond the client's message (key ids, row ids): written to the log,
   * never sent to a client.
   */
  readonly internalDetail: string | undefined;

  protected constructor(
    message: string,
    readonly details: readonly FieldViolation[] = [],
    internalDetail?: string,
  ) {
    super(message);
    this.name = new.target.name;
    this.internalDetail = internalDetail;
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
        ? 'The tenant already has a platform for this service; it is inactive and can be activated instead of registered again'
        : 'The tenant already has a platform for this service',
    );
  }
}

export class PlatformNotFoundError extends PlatformServiceError {
  readonly code = PlatformErrorCode.PlatformNotFound;

  constructor(readonly platformId: string) {
    super('Platform not found');
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
      `The platform is at version ${currentVersion}, not the expected one; re-read it and retry`,
    );
  }
}

/** No authenticated caller: the host app left no `request.user` (or the token was refused). */
export class UnauthenticatedError extends PlatformServiceError {
  readonly code = PlatformErrorCode.Unauthenticated;

  constructor(message = 'Authentication required', internalDetail?: string) {
    super(message, [], internalDetail);
  }
}

/** The platform exists but is deactivated: it never reaches integration flows. */
export class PlatformInactiveError extends PlatformServiceError {
  readonly code = PlatformErrorCode.PlatformInactive;

  constructor(
    readonly tenantId: string,
    readonly serviceName: string,
  ) {
    super('The platform is inactive; activate it to use its credentials');
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

  /** `reason` names data key and master key ids: it goes to the log, not to clients. */
  constructor(reason: string) {
    super('The stored platform configuration cannot be decrypted', [], reason);
  }
}

/** Storage (or another dependency the request needs) is unreachable. */
export class ServiceUnavailableError extends PlatformServiceError {
  readonly code = PlatformErrorCode.ServiceUnavailable;

  constructor(message = 'The platform store is unavailable; retry later', internalDetail?: string) {
    super(message, [], internalDetail);
  }
}

/** A request body that is not `application/json` in UTF-8: it is not read at all. */
export class UnsupportedMediaTypeError extends PlatformServiceError {
  readonly code = PlatformErrorCode.UnsupportedMediaType;

  constructor() {
    super('Unsupported media type: send the body as application/json (UTF-8)');
  }
}

/** An idempotency key already used, within its lifetime, for another request (nothing was run). */
export class IdempotencyKeyReusedError extends PlatformServiceError {
  readonly code = PlatformErrorCode.IdempotencyKeyReused;

  constructor() {
    super(
      'This Idempotency-Key was already used for a different request; use a new key for a new request',
    );
  }
}

/** The first request with this idempotency key is still running: retry to get its answer. */
export class IdempotencyInProgressError extends PlatformServiceError {
  readonly code = PlatformErrorCode.IdempotencyInProgress;

  constructor() {
    super('A request with this Idempotency-Key is still in progress; retry shortly for its answer');
  }
}

/** The service catalog has no service of that name. */
export class ServiceNotFoundError extends PlatformServiceError {
  readonly code = PlatformErrorCode.ServiceNotFound;

  constructor() {
    super('Service not found in the catalog');
  }
}
