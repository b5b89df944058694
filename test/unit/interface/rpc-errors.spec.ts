import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ThrottlerException } from '@nestjs/throttler';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { lastValueFrom } from 'rxjs';
import {
  ConfigDecryptionError,
  InvalidPlatformConfigError,
  PermissionDeniedError,
  PlatformAlreadyExistsError,
  PlatformInactiveError,
  PlatformNotFoundError,
  RequestValidationError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  IdempotencyKeyReusedError,
  IdempotencyInProgressError,
  ServiceNotFoundError,
  UnauthenticatedError,
  VersionConflictError,
  type PlatformServiceError,
} from '../../../src/service-platform/domain/platform.errors';
import { PlatformErrorCode } from '../../../src/service-platform/domain/platform-error-code';
import { ERROR_STATUS } from '../../../src/service-platform/interface/errors/error-status.table';
import {
  ServicePlatformRpcExceptionFilter,
  toRpcError,
} from '../../../src/service-platform/interface/errors/rpc-exception.filter';
import { StructMapper } from '../../../src/service-platform/interface/grpc/struct.mapper';
import { toErrorBody } from '../../../src/service-platform/interface/errors/error-body';
import { decodeStatusDetails } from '../../support/grpc-client';

const TENANT = '0b5e5bd6-6c43-4c0b-9d1e-1c1f3f9a2b10';

/** One error of each code, as the module raises them. */
const ERRORS: Record<PlatformErrorCode, PlatformServiceError> = {
  VALIDATION_FAILED: new RequestValidationError('platform_id must be a UUID', [
    { field: 'platform_id', message: 'must be a UUID' },
  ]),
  INVALID_PLATFORM_CONFIG: new InvalidPlatformConfigError([
    { field: 'config.client_secret', message: 'must not be empty' },
    { field: 'config.client_id', message: 'is required' },
  ]),
  PLATFORM_ALREADY_EXISTS: new PlatformAlreadyExistsError(TENANT, 'outlook', true),
  PLATFORM_NOT_FOUND: new PlatformNotFoundError(TENANT),
  VERSION_CONFLICT: new VersionConflictError(TENANT, 1, 2),
  UNAUTHENTICATED: new UnauthenticatedError(),
  FORBIDDEN: new PermissionDeniedError('Your roles do not allow this'),
  PLATFORM_INACTIVE: new PlatformInactiveError(TENANT, 'outlook'),
  CONFIG_DECRYPTION_FAILED: new ConfigDecryptionError('unknown key id'),
  SERVICE_UNAVAILABLE: new ServiceUnavailableError(),
  UNSUPPORTED_MEDIA_TYPE: new UnsupportedMediaTypeError(),
  IDEMPOTENCY_KEY_REUSED: new IdempotencyKeyReusedError(),
  IDEMPOTENCY_IN_PROGRESS: new IdempotencyInProgressError(),
  SERVICE_NOT_FOUND: new ServiceNotFoundError(),
};

/** The gRPC status of each code (issue 5), next to the REST status the same table gives. */
const EXPECTED: Record<PlatformErrorCode, [keyof typeof GrpcStatus, number]> = {
  VALIDATION_FAILED: ['INVALID_ARGUMENT', 400],
  INVALID_PLATFORM_CONFIG: ['INVALID_ARGUMENT', 400],
  PLATFORM_ALREADY_EXISTS: ['ALREADY_EXISTS', 409],
  PLATFORM_NOT_FOUND: ['NOT_FOUND', 404],
  VERSION_CONFLICT: ['FAILED_PRECONDITION', 412],
  PLATFORM_INACTIVE: ['FAILED_PRECONDITION', 409],
  UNAUTHENTICATED: ['UNAUTHENTICATED', 401],
  FORBIDDEN: ['PERMISSION_DENIED', 403],
  SERVICE_UNAVAILABLE: ['UNAVAILABLE', 503],
  CONFIG_DECRYPTION_FAILED: ['INTERNAL', 500],
  UNSUPPORTED_MEDIA_TYPE: ['INVALID_ARGUMENT', 415],
  IDEMPOTENCY_KEY_REUSED: ['FAILED_PRECONDITION', 422],
  IDEMPOTENCY_IN_PROGRESS: ['UNAVAILABLE', 409],
  SERVICE_NOT_FOUND: ['NOT_FOUND', 404],
};

describe('one code → {http, grpc} table', () => {
  it('maps every error code for both transports, never to OK or UNKNOWN', () => {
    expect(Object.keys(ERROR_STATUS).sort()).toEqual(Object.values(PlatformErrorCode).sort());
    for (const [code, [grpc, http]] of Object.entries(EXPECTED)) {
      const entry = ERROR_STATUS[code as PlatformErrorCode];
      expect({ code, grpc: GrpcStatus[entry.grpc], http: entry.http }).toEqual({
        code,
        grpc,
        http,
      });
      expect([GrpcStatus.OK, GrpcStatus.UNKNOWN]).not.toContain(entry.grpc);
    }
  });
});

describe('toRpcError', () => {
  it.each(Object.entries(ERRORS))(
    '%s: the table’s status, the code trailer, rich details',
    (code, error) => {
      const rpc = toRpcError(error);
      const body = toErrorBody(error);
      expect(GrpcStatus[rpc.code]).toBe(EXPECTED[code as PlatformErrorCode][0]);
      expect(rpc.details).toBe(body.message);
      expect(rpc.errorCode).toBe(code);
      expect(rpc.metadata.get('error-code')).toEqual([code]);
      const rich = decodeStatusDetails(rpc.metadata.get('grpc-status-details-bin')[0] as Buffer);
      expect(rich.code).toBe(rpc.code);
      expect(rich.message).toBe(rpc.details);
      expect(rich.errorInfo).toEqual({ reason: code, domain: 'serviceplatform.v1' });
      expect(rich.fieldViolations).toEqual(
        error.details.map((detail) => ({ field: detail.field, description: detail.message })),
      );
      expect(rich.typeUrls).toEqual(
        error.details.length > 0
          ? [
              'type.googleapis.com/google.rpc.ErrorInfo',
              'type.googleapis.com/google.rpc.BadRequest',
            ]
          : ['type.googleapis.com/google.rpc.ErrorInfo'],
      );
    },
  );

  it('field violations also appear in the message', () => {
    const rpc = toRpcError(ERRORS.INVALID_PLATFORM_CONFIG);
    expect(rpc.details).toContain('config.client_secret must not be empty');
    expect(rpc.details).toContain('config.client_id is required');
  });

  it.each([
    [
      'UnauthorizedException (host JwtAuthGuard)',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      new UnauthorizedException('Token expired'),
    ],
    [
      'ThrottlerException',
      'RESOURCE_EXHAUSTED',
      'TOO_MANY_REQUESTS',
      new ThrottlerException('Too many requests'),
    ],
    ['ForbiddenException', 'PERMISSION_DENIED', 'FORBIDDEN', new ForbiddenException()],
    ['NotFoundException', 'NOT_FOUND', 'NOT_FOUND', new NotFoundException()],
    [
      'BadRequestException',
      'INVALID_ARGUMENT',
      'VALIDATION_FAILED',
      new BadRequestException('bad'),
    ],
    [
      "Nest's RpcException of a guard returning false",
      'PERMISSION_DENIED',
      'FORBIDDEN',
      new RpcException('Forbidden resource'),
    ],
  ] as const)('%s → %s (%s)', (_name, status, errorCode, exception) => {
    const rpc = toRpcError(exception);
    expect({ status: GrpcStatus[rpc.code], errorCode: rpc.errorCode }).toEqual({
      status,
      errorCode,
    });
  });

  it('keeps the host guard’s message for a 401', () => {
    expect(toRpcError(new UnauthorizedException('Token expired')).details).toBe('Token expired');
  });

  it('anything unexpected is INTERNAL with a generic message: no stack, no secret', () => {
    const leaky = new Error('connect to postgresql://user:s3cr3t@db failed');
    for (const exception of [leaky, new RpcException('whatever'), 'a string', { status: 500 }]) {
      const rpc = toRpcError(exception);
      expect(rpc.code).toBe(GrpcStatus.INTERNAL);
      expect(rpc.errorCode).toBe('INTERNAL_ERROR');
      expect(rpc.details).toBe('Internal server error');
      const trailer = rpc.metadata.get('grpc-status-details-bin')[0] as Buffer;
      expect(trailer.toString('latin1')).not.toContain('s3cr3t');
      expect(trailer.toString('latin1')).not.toMatch(/\n\s+at /);
    }
  });

  it('an HTTP status without its own gRPC code is never UNKNOWN', () => {
    expect(toRpcError(new HttpException('teapot', 418)).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(toRpcError(new HttpException('gateway', HttpStatus.BAD_GATEWAY)).code).toBe(
      GrpcStatus.INTERNAL,
    );
    expect(toRpcError(new HttpException('gone', HttpStatus.SERVICE_UNAVAILABLE)).code).toBe(
      GrpcStatus.UNAVAILABLE,
    );
  });
});

describe('ServicePlatformRpcExceptionFilter', () => {
  it('answers with an observable that errors with the gRPC error', async () => {
    const filter = new ServicePlatformRpcExceptionFilter();
    const result = filter.catch(ERRORS.PLATFORM_NOT_FOUND);
    await expect(lastValueFrom(result)).rejects.toMatchObject({
      code: GrpcStatus.NOT_FOUND,
      details: ERRORS.PLATFORM_NOT_FOUND.message,
      errorCode: 'PLATFORM_NOT_FOUND',
    });
  });
});

describe('StructMapper', () => {
  it('round-trips JSON objects', () => {
    const json = {
      s: 'text',
      n: 1.5,
      b: false,
      z: null,
      list: [1, 'two', { three: [true] }],
      nested: { deeper: { deepest: 'x' } },
    };
    const violations: never[] = [];
    expect(StructMapper.toJson(StructMapper.fromJson(json), 'f', violations)).toEqual(json);
    expect(violations).toEqual([]);
  });

  it('keeps __proto__ as an own key (for the domain to refuse), never as a prototype', () => {
    const struct = {
      fields: JSON.parse('{"__proto__": {"kind": "boolValue", "boolValue": true}}'),
    };
    const json = StructMapper.toJson(struct, 'f', []) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).kind).toBeUndefined();
  });

  it('reports a Value without kind and absurd nesting as violations of the field', () => {
    const violations: { field: string; message: string }[] = [];
    expect(StructMapper.toJson({ fields: { a: {} } }, 'config.additional_data', violations)).toBe(
      undefined,
    );
    let deep: Record<string, unknown> = { kind: 'stringValue', stringValue: 'x' };
    for (let i = 0; i < 200; i++)
      deep = { kind: 'structValue', structValue: { fields: { a: deep } } };
    expect(StructMapper.toJson({ fields: { a: deep } }, 'config.additional_data', violations)).toBe(
      undefined,
    );
    expect(violations.map((v) => v.field)).toEqual([
      'config.additional_data',
      'config.additional_data',
    ]);
    expect(violations[1]?.message).toBe('is nested too deeply');
  });
});
