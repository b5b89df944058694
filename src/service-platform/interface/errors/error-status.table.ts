import { HttpStatus } from '@nestjs/common';
import type { PlatformErrorCode } from '../../domain/platform-error-code';

/**
 * The one place that decides how each error code is answered. Typed as a total record: a new
 * code that is not mapped here does not compile.
 */
export const ERROR_STATUS: Readonly<Record<PlatformErrorCode, { readonly http: HttpStatus }>> = {
  VALIDATION_FAILED: { http: HttpStatus.BAD_REQUEST },
  INVALID_PLATFORM_CONFIG: { http: HttpStatus.BAD_REQUEST },
  PLATFORM_ALREADY_EXISTS: { http: HttpStatus.CONFLICT },
  PLATFORM_NOT_FOUND: { http: HttpStatus.NOT_FOUND },
  VERSION_CONFLICT: { http: HttpStatus.PRECONDITION_FAILED },
  UNAUTHENTICATED: { http: HttpStatus.UNAUTHORIZED },
  FORBIDDEN: { http: HttpStatus.FORBIDDEN },
  PLATFORM_INACTIVE: { http: HttpStatus.CONFLICT },
  CONFIG_DECRYPTION_FAILED: { http: HttpStatus.INTERNAL_SERVER_ERROR },
  SERVICE_UNAVAILABLE: { http: HttpStatus.SERVICE_UNAVAILABLE },
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
