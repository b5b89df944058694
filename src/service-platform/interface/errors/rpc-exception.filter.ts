import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import { PlatformServiceError, type FieldViolation } from '../../domain/platform.errors';
import { toErrorBody } from './error-body';
import { errorLogLine } from './error-log';
import { ERROR_STATUS, grpcStatusOfHttp } from './error-status.table';
import { encodeStatusDetails } from './grpc-status-details';

/** Trailer carrying the module's error code (the `code` of the REST error body). */
export const ERROR_CODE_METADATA_KEY = 'error-code';

/** What `@grpc/grpc-js` sends for an error passed to a unary callback. */
export interface ServicePlatformRpcError {
  readonly code: GrpcStatus;
  /** The status message (grpc-js reads `details`). */
  readonly details: string;
  readonly message: string;
  readonly metadata: Metadata;
  /** The module's error code, also in the `error-code` trailer. */
  readonly errorCode: string;
  readonly fieldViolations: readonly FieldViolation[];
}

/** Nest's `RpcException` message when a guard returns false instead of throwing. */
const NEST_FORBIDDEN_MESSAGE = 'Forbidden resource';

/**
 * The gRPC answer for anything thrown while serving a call: the status comes from the same
 * code → status table as REST (`ERROR_STATUS`), the message and field violations from the same
 * body builder (`toErrorBody`), so neither a stack trace nor a request's secret ends up in it.
 * A known condition never answers UNKNOWN; anything unexpected is INTERNAL.
 */
export function toRpcError(exception: unknown): ServicePlatformRpcError {
  const { grpc, errorCode, message, details } = classify(exception);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, errorCode);
  metadata.set(
    'grpc-status-details-bin',
    encodeStatusDetails({ code: grpc, message, reason: errorCode, fieldViolations: details }),
  );
  return { code: grpc, details: message, message, metadata, errorCode, fieldViolations: details };
}

function classify(exception: unknown): {
  grpc: GrpcStatus;
  errorCode: string;
  message: string;
  details: FieldViolation[];
} {
  if (exception instanceof RpcException) {
    const error = exception.getError();
    if (error === NEST_FORBIDDEN_MESSAGE) {
      return {
        grpc: GrpcStatus.PERMISSION_DENIED,
        errorCode: 'FORBIDDEN',
        message: 'Forbidden resource',
        details: [],
      };
    }
    return {
      grpc: GrpcStatus.INTERNAL,
      errorCode: 'INTERNAL_ERROR',
      message: 'Internal server error',
      details: [],
    };
  }
  const body = toErrorBody(exception);
  const grpc =
    exception instanceof PlatformServiceError
      ? ERROR_STATUS[exception.code].grpc
      : grpcStatusOfHttp(body.statusCode);
  return { grpc, errorCode: body.code, message: body.message, details: body.details };
}

/**
 * Answers every error of the module's gRPC handlers (guards included) with `toRpcError`.
 * Server-side failures are logged with their stack; clients get none.
 */
@Catch()
export class ServicePlatformRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('ServicePlatformGrpc');

  catch(exception: unknown): Observable<never> {
    const error = toRpcError(exception);
    if (error.code === GrpcStatus.INTERNAL || error.code === GrpcStatus.UNAVAILABLE) {
      const { line, stack } = errorLogLine(error.errorCode, exception);
      this.logger.error(line, stack);
    }
    return throwError(() => error);
  }
}
