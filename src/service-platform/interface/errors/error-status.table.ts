import { HttpStatus } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { PlatformErrorCode } from '../../domain/platform-error-code';

/** How one error code is answered on each transport. */
export interface TransportStatus {
  readonly http: HttpStatus;
  readonly grpc: GrpcStatus;
}

/**
 * The one place that decides how each error code is answered, over REST and over gRPC. Typed as
 * a total record: a new code that is not mapped here (for both transports) does not compile.
 */
export const ERROR_STATUS: Readonly<Record<PlatformErrorCode, TransportStatus>> = {
  VALIDATION_FAILED: { http: HttpStatus.BAD_REQUEST, grpc: GrpcStatus.INVALID_ARGUMENT },
  INVALID_PLATFORM_CONFIG: { http: HttpStatus.BAD_REQUEST, grpc: GrpcStatus.INVALID_ARGUMENT },
  PLATFORM_ALREADY_EXISTS: { http: HttpStatus.CONFLICT, grpc: GrpcStatus.ALREADY_EXISTS },
  PLATFORM_NOT_FOUND: { http: HttpStatus.NOT_FOUND, grpc: GrpcStatus.NOT_FOUND },
  VERSION_CONFLICT: {
    http: HttpStatus.PRECONDITION_FAILED,
    grpc: GrpcStatus.FAILED_PRECONDITION,
  },
  UNAUTHENTICATED: { http: HttpStatus.UNAUTHORIZED, grpc: GrpcStatus.UNAUTHENTICATED },
  FORBIDDEN: { http: HttpStatus.FORBIDDEN, grpc: GrpcStatus.PERMISSION_DENIED },
  PLATFORM_INACTIVE: { http: HttpStatus.CONFLICT, grpc: GrpcStatus.FAILED_PRECONDITION },
  // Not DATA_LOSS: the usual cause is a key removed from the ring, which is recoverable.
  CONFIG_DECRYPTION_FAILED: {
    http: HttpStatus.INTERNAL_SERVER_ERROR,
    grpc: GrpcStatus.INTERNAL,
  },
  SERVICE_UNAVAILABLE: { http: HttpStatus.SERVICE_UNAVAILABLE, grpc: GrpcStatus.UNAVAILABLE },
  UNSUPPORTED_MEDIA_TYPE: {
    http: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    grpc: GrpcStatus.INVALID_ARGUMENT,
  },
  // The key names another request: the client must not retry it as it is.
  IDEMPOTENCY_KEY_REUSED: {
    http: HttpStatus.UNPROCESSABLE_ENTITY,
    grpc: GrpcStatus.FAILED_PRECONDITION,
  },
  // Retrying shortly gets the first request's answer.
  IDEMPOTENCY_IN_PROGRESS: { http: HttpStatus.CONFLICT, grpc: GrpcStatus.UNAVAILABLE },
  SERVICE_NOT_FOUND: { http: HttpStatus.NOT_FOUND, grpc: GrpcStatus.NOT_FOUND },
};

/** Codes for errors raised by the HTTP stack itself (body parser, router, host app guards). */
export const HTTP_STATUS_CODES: Readonly<Partial<Record<number, string>>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * gRPC status of an `HttpException` that reaches a gRPC handler (the host app's guards throw
 * them: `UnauthorizedException`, `ThrottlerException`...). Other 4xx → INVALID_ARGUMENT, other
 * 5xx → INTERNAL: never UNKNOWN.
 */
const GRPC_STATUS_OF_HTTP: Readonly<Partial<Record<number, GrpcStatus>>> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  401: GrpcStatus.UNAUTHENTICATED,
  403: GrpcStatus.PERMISSION_DENIED,
  404: GrpcStatus.NOT_FOUND,
  408: GrpcStatus.DEADLINE_EXCEEDED,
  409: GrpcStatus.ALREADY_EXISTS,
  412: GrpcStatus.FAILED_PRECONDITION,
  413: GrpcStatus.RESOURCE_EXHAUSTED,
  429: GrpcStatus.RESOURCE_EXHAUSTED,
  501: GrpcStatus.UNIMPLEMENTED,
  503: GrpcStatus.UNAVAILABLE,
  504: GrpcStatus.DEADLINE_EXCEEDED,
};

export function grpcStatusOfHttp(httpStatus: number): GrpcStatus {
  return (
    GRPC_STATUS_OF_HTTP[httpStatus] ??
    (httpStatus >= 400 && httpStatus < 500 ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL)
  );
}

/** Every `code` an error body can carry: the module's codes and the HTTP ones (OpenAPI enum). */
export const ERROR_BODY_CODES: readonly string[] = [
  ...new Set([
    ...Object.keys(ERROR_STATUS),
    ...Object.values(HTTP_STATUS_CODES).filter((code): code is string => code !== undefined),
    'BAD_REQUEST',
    'INTERNAL_ERROR',
  ]),
].sort();
