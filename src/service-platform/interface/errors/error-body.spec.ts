import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { PlatformErrorCode } from '../../domain/platform-error-code';
import {
  ConfigDecryptionError,
  InvalidPlatformConfigError,
  PermissionDeniedError,
  PlatformAlreadyExistsError,
  PlatformInactiveError,
  UnauthenticatedError,
  PlatformNotFoundError,
  RequestValidationError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  IdempotencyKeyReusedError,
  IdempotencyInProgressError,
  ServiceNotFoundError,
  VersionConflictError,
  type PlatformServiceError,
} from '../../domain/platform.errors';
import { toErrorBody } from './error-body';
import { ERROR_STATUS } from './error-status.table';

describe('toErrorBody', () => {
  const examples: Record<PlatformErrorCode, PlatformServiceError> = {
    VALIDATION_FAILED: new RequestValidationError('bad', [{ field: 'tenant_id', message: 'x' }]),
    INVALID_PLATFORM_CONFIG: new InvalidPlatformConfigError([
      { field: 'config.client_secret', message: 'is required' },
    ]),
    PLATFORM_ALREADY_EXISTS: new PlatformAlreadyExistsError('t', 'outlook', true),
    PLATFORM_NOT_FOUND: new PlatformNotFoundError('p'),
    VERSION_CONFLICT: new VersionConflictError('p', 1, 2),
    UNAUTHENTICATED: new UnauthenticatedError(),
    FORBIDDEN: new PermissionDeniedError('no'),
    PLATFORM_INACTIVE: new PlatformInactiveError('t', 'outlook'),
    CONFIG_DECRYPTION_FAILED: new ConfigDecryptionError('tampered'),
    SERVICE_UNAVAILABLE: new ServiceUnavailableError(),
    UNSUPPORTED_MEDIA_TYPE: new UnsupportedMediaTypeError(),
    IDEMPOTENCY_KEY_REUSED: new IdempotencyKeyReusedError(),
    IDEMPOTENCY_IN_PROGRESS: new IdempotencyInProgressError(),
    SERVICE_NOT_FOUND: new ServiceNotFoundError(),
  };

  it.each(Object.values(PlatformErrorCode))(
    'answers %s with its mapped status and code',
    (code) => {
      const body = toErrorBody(examples[code]);
      expect(body.statusCode).toBe(ERROR_STATUS[code].http);
      expect(body.code).toBe(code);
      expect(body.message).toBe(examples[code].message);
      expect(body).not.toHaveProperty('stack');
    },
  );

  it('maps the contract statuses', () => {
    expect(toErrorBody(examples.INVALID_PLATFORM_CONFIG)).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      details: [{ field: 'config.client_secret', message: 'is required' }],
    });
    expect(toErrorBody(examples.PLATFORM_ALREADY_EXISTS).statusCode).toBe(409);
    expect(toErrorBody(examples.PLATFORM_NOT_FOUND).statusCode).toBe(404);
    expect(toErrorBody(examples.VERSION_CONFLICT).statusCode).toBe(412);
    expect(toErrorBody(examples.FORBIDDEN).statusCode).toBe(403);
    expect(toErrorBody(examples.UNAUTHENTICATED).statusCode).toBe(401);
    expect(toErrorBody(examples.SERVICE_UNAVAILABLE).statusCode).toBe(503);
  });

  it('hides parser messages that may quote the body, and unknown errors entirely', () => {
    const parse = Object.assign(
      new SyntaxError(`Unexpected token 's', "secret" is not valid JSON`),
      {
        status: 400,
      },
    );
    expect(toErrorBody(parse)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: 'Malformed request: the body must be valid JSON and the path and query well formed',
      details: [],
    });
    expect(toErrorBody(new Error('db password is hunter2'))).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      details: [],
    });
  });

  it('keeps the status of framework errors', () => {
    expect(toErrorBody(new NotFoundException('Cannot GET /x'))).toMatchObject({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: 'No route matches this method and path',
    });
    expect(toErrorBody(new PayloadTooLargeException())).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    // A framework's message may quote the request: replaced.
    expect(toErrorBody(new BadRequestException('Bad "secret-value"'))).toMatchObject({
      statusCode: 400,
      message: expect.not.stringContaining('secret-value'),
    });
    expect(toErrorBody({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' })).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
  });
  it('bounds what an error echoes of the request: message, field paths, messages, count', () => {
    const long = 'k'.repeat(40_000);
    const details = Array.from({ length: 40 }, (_, i) => ({
      field: `config.additional_data.${long}${i}`,
      message: `is not allowed: ${long}`,
    }));
    const answer = toErrorBody(new InvalidPlatformConfigError(details));
    expect(answer.details).toHaveLength(17);
    expect(answer.details.at(-1)).toEqual({ field: '…', message: 'and 24 more' });
    for (const detail of answer.details) {
      expect(Array.from(detail.field).length).toBeLessThanOrEqual(128);
      expect(Array.from(detail.message).length).toBeLessThanOrEqual(256);
    }
    expect(answer.details[0]?.field).toMatch(/^config\.additional_data\.k+…$/);
    expect(JSON.stringify(answer).length).toBeLessThan(8_000);
    // A surrogate pair at the cut is kept whole or dropped, never split.
    const emoji = toErrorBody(new RequestValidationError('😀'.repeat(600)));
    expect(emoji.message).toBe(`${'😀'.repeat(511)}…`);
    // Short ones are untouched.
    expect(toErrorBody(new RequestValidationError('bad', [{ field: 'a', message: 'b' }]))).toEqual(
      expect.objectContaining({ message: 'bad', details: [{ field: 'a', message: 'b' }] }),
    );
  });
});
