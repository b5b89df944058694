import { RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import { expressRouteOf } from '../observability/http-instrumentation';
import { logContextOf } from '../observability/request-log-context';
import { newRequestId } from '../observability/request-id';

const LOGGED = Symbol('service-platform.request-logged');

type LoggedRequest = IncomingMessage & { id?: unknown; originalUrl?: string; [LOGGED]?: true };

/**
 * The request id: the client's `X-Request-Id` when it is a sane one (else a new UUID), echoed in
 * the response's `X-Request-Id`.
 */
export function requestIdOf(request: LoggedRequest, response: ServerResponse): string {
  // Made (and echoed) at the start of the request: Fastify's genReqId, our Express middleware.
  if (typeof request.id === 'string') return request.id;
  const id = newRequestId(request);
  if (!response.headersSent) response.setHeader('X-Request-Id', id);
  return id;
}

/** Probes are not logged; a request reaching the logger twice (excluded routes) is logged once. */
export function skipRequestLog(request: LoggedRequest): boolean {
  const path = (request.originalUrl ?? request.url ?? '').split('?')[0] ?? '';
  if (path.startsWith('/health/live') || path.startsWith('/health/ready')) return true;
  if (request[LOGGED] === true) return true;
  request[LOGGED] = true;
  return false;
}

/** The fields of a request's log line beyond id, method, path, status and duration. */
export function requestLogFields(request: IncomingMessage): Record<string, string> {
  const context = { ...expressRouteOf(request), ...logContextOf(request) };
  const fields: Record<string, string | undefined> = {
    route: context.route,
    actor_id: context.actorId,
    tenant_id: context.tenantId,
    platform_id: context.platformId,
    error_code: context.errorCode,
  };
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  // A bearer token or gRPC metadata logged by hand, e.g. logger.warn({ headers }, …).
  '*.authorization',
  '*.headers.authorization',
  '*.metadata.authorization',
  '*.AUTH_JWT_SECRET',
  '*.ENCRYPTION_KEYS',
  '*.id_token',
  '*.api_key',
  '*.private_key',
  '*.client_secret',
  '*.*.client_secret',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
];

/**
 * Structured JSON logs, one line per request; secrets redacted, request bodies never logged.
 * To stdout (written asynchronously), or appended to `file` (written synchronously:
 * for tests and debugging, every line is there when the request has been answered).
 */
export function loggerOptions(level: string, file?: string): Params {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    genReqId: (req, res) => requestIdOf(req, res),
    autoLogging: { ignore: (req) => skipRequestLog(req) },
    // Nothing is known when the request starts: no extra child logger for it then.
    customProps: (req) => {
      const fields = requestLogFields(req);
      return (Object.keys(fields).length === 0 ? undefined : fields) as Record<string, string>;
    },
    // Method, path (no query string) and status: no header dump, never a body.
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        url: (req.url ?? '').split('?')[0],
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  } satisfies Params['pinoHttp'];
  return {
    // The probes skip the request logger altogether (they are never logged): not even a child
    // logger is made for them.
    exclude: [
      { method: RequestMethod.GET, path: 'health/live' },
      { method: RequestMethod.GET, path: 'health/ready' },
    ],
    pinoHttp: [
      options,
      file === undefined
        ? // pino's default, made explicit: asynchronous (lines written while a write is in flight
          // go out together; flushed at exit), no minimum length, so that no line (the startup
          // line above all) is held back.
          pino.destination({ dest: 1, sync: false })
        : pino.destination({ dest: file, sync: true, mkdir: true, append: true }),
    ],
  };
}
