import { HttpException, HttpStatus } from '@nestjs/common';
import type { FieldViolation } from '../../domain/platform.errors';
import { PlatformServiceError } from '../../domain/platform.errors';
import { ERROR_STATUS, HTTP_STATUS_CODES } from './error-status.table';

/** The error body of every 4xx/5xx answer (contract: "Error body"). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  details: FieldViolation[];
}

/**
 * Builds the answer for anything thrown while serving a request. Only messages written for
 * clients are passed on: parser messages (which may quote the body) and unexpected errors are
 * replaced, so neither a stack trace nor a secret from a request ends up in a response.
 */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof PlatformServiceError) {
    const status = ERROR_STATUS[exception.code].http;
    return body(
      status,
      exception.code,
      clip(exception.message, MAX_MESSAGE_CHARS),
      boundedDetails(exception.details),
    );
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return body(status, codeFor(status), clientMessage(status, exception.message), []);
  }
  const status = frameworkStatus(exception);
  if (status !== undefined) return body(status, codeFor(status), clientMessage(status), []);
  return body(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL_ERROR', 'Internal server error', []);
}

/**
 * Bounds of what an error echoes. Field paths name the client's own keys, which may be tens of
 * kilobytes long: on gRPC the message and the violations travel in trailers (`grpc-message`,
 * `grpc-status-details-bin`), and trailers over HTTP/2's header-list limit (64 KiB) were never
 * delivered: the call hung until its deadline instead of answering INVALID_ARGUMENT.
 */
const MAX_MESSAGE_CHARS = 512;
const MAX_FIELD_CHARS = 128;
const MAX_DETAIL_CHARS = 256;
const MAX_DETAILS = 16;

function clip(text: string, max: number): string {
  // By code points, so that a surrogate pair is never cut in two.
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function boundedDetails(details: readonly FieldViolation[]): FieldViolation[] {
  const kept = details.slice(0, MAX_DETAILS).map((detail) => ({
    field: clip(detail.field, MAX_FIELD_CHARS),
    message: clip(detail.message, MAX_DETAIL_CHARS),
  }));
  const left = details.length - kept.length;
  return left > 0 ? [...kept, { field: '…', message: `and ${left} more` }] : kept;
}

function body(status: number, code: string, message: string, details: FieldViolation[]): ErrorBody {
  return { statusCode: status, error: reasonPhrase(status), code, message, details };
}

function codeFor(status: number): string {
  return HTTP_STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

/** Body-parser (Express) and Fastify errors carry a 4xx `status`/`statusCode`. */
function frameworkStatus(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { status, statusCode } = exception as { status?: unknown; statusCode?: unknown };
  const candidate = typeof statusCode === 'number' ? statusCode : status;
  return typeof candidate === 'number' && candidate >= 400 && candidate < 500
    ? candidate
    : undefined;
}

/**
 * What a client is told of an error raised by the HTTP stack or a host app's guard. Only the
 * messages of 401 (the host's authentication says why a token was refused) and 429 (the limit)
 * are passed on; any other message may quote the request (a path, a parser's view of the body)
 * and is replaced.
 */
function clientMessage(status: number, message?: string): string {
  switch (status) {
    case 401:
    case 429:
      return message ?? reasonPhrase(status);
    case 400:
      return 'Malformed request: the body must be valid JSON and the path and query well formed';
    case 404:
      return 'No route matches this method and path';
    case 413:
      // The limit is the HTTP server's (64 KiB in the demo app, the host's own when mounted).
      return 'Request body is too large';
    case 415:
      return 'Unsupported media type: send the body as application/json (UTF-8)';
    default:
      return reasonPhrase(status);
  }
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request');
}
