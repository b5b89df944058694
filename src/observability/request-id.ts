import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** An `X-Request-Id` a client may choose: printable, no spaces, at most 128 characters. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The client's `X-Request-Id` when it is a sane one, else a new UUID. */
export function newRequestId(request: Pick<IncomingMessage, 'headers'>): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming)
    ? incoming
    : randomUUID();
}
