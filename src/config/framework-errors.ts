import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PlatformErrorCode } from '../service-platform';
import { API_CSP_DIRECTIVES, HELMET_OPTIONS } from './http-security';
import helmet, { contentSecurityPolicy } from 'helmet';

/**
 * Answers the HTTP stack gives before any route, hook or exception filter runs (a path Fastify's
 * router refuses, a request Node's parser refuses) in the contract's error body with the
 * security headers, quoting nothing of the request.
 */

/** The longest path parameter Fastify's router takes (a platform id is 36 characters). */
export const MAX_PATH_PARAM_LENGTH = 2048;

const PATH_ERROR = {
  statusCode: 400,
  error: 'Bad Request',
  code: PlatformErrorCode.ValidationFailed,
  message: 'The request path is not valid',
  details: [{ field: 'path', message: 'must be a valid, percent-encoded path of usable length' }],
};

/** The security headers of the API (helmet and the strict CSP), as name/value pairs. */
function securityHeaders(): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, string>();
  const collector = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  } as unknown as ServerResponse;
  const request = { method: 'GET', url: '/', headers: {} } as IncomingMessage;
  const next = (): void => undefined;
  helmet(HELMET_OPTIONS)(request, collector, next);
  contentSecurityPolicy({ useDefaults: false, directives: API_CSP_DIRECTIVES })(
    request,
    collector,
    next,
  );
  return [...headers.entries()];
}

const SECURITY_HEADERS = securityHeaders();

/** Fastify's `frameworkErrors`: a bad percent-encoding, an over-long path parameter... */
export function answerFrameworkError(
  _error: Error,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  for (const [name, value] of SECURITY_HEADERS) void reply.header(name, value);
  void reply.code(PATH_ERROR.statusCode).type('application/json').send(PATH_ERROR);
}

/**
 * A request Node's HTTP parser refuses (headers over 16 KiB, a malformed request line): the
 * contract's body instead of Node's bare status line, then the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({
    statusCode: status,
    error: tooLarge ? 'Request Header Fields Too Large' : 'Bad Request',
    code: PlatformErrorCode.ValidationFailed,
    message: tooLarge ? 'The request headers are too large' : 'The request is malformed',
    details: [],
  });
  const head = [
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...SECURITY_HEADERS.map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
