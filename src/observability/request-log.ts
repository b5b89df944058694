import type { IncomingMessage } from 'node:http';
import type pino from 'pino';
import { logContextOf } from './request-log-context';

/** Probes are not logged (`path` without its query string); anything else is, 404s included. */
export function skipRequestLog(path: string): boolean {
  return path === '/health/live' || path === '/health/ready';
}

/** The fields of a request's log line beyond id, method, path, status and duration. */
export function requestLogFields(request: IncomingMessage): Record<string, string> {
  const context = logContextOf(request);
  const fields: Record<string, string> = {};
  if (context.route !== undefined) fields.route = context.route;
  if (context.actorId !== undefined) fields.actor_id = context.actorId;
  if (context.tenantId !== undefined) fields.tenant_id = context.tenantId;
  if (context.platformId !== undefined) fields.platform_id = context.platformId;
  if (context.errorCode !== undefined) fields.error_code = context.errorCode;
  return fields;
}

/** What a request's line says. */
export interface RequestLine {
  readonly id: string;
  readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  readonly statusCode: number;
  readonly responseTimeMs: number;
  readonly fields: Record<string, string>;
}

/**
 * The status an aborted request is logged and counted with: the client closed the connection
 * before the answer was sent (nginx's "client closed request").
 */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * One line per request, at info (`request completed`, or `request aborted` when the client left
 * first), or at error for a 5xx (`request errored`).
 */
export function logRequest(logger: pino.Logger, line: RequestLine): void {
  const entry = {
    req: { id: line.id, method: line.method, url: line.path },
    res: { statusCode: line.statusCode },
    responseTime: Math.round(line.responseTimeMs),
    ...line.fields,
  };
  if (line.statusCode >= 500) logger.error(entry, 'request errored');
  else if (line.statusCode === CLIENT_CLOSED_REQUEST) logger.info(entry, 'request aborted');
  else logger.info(entry, 'request completed');
}
