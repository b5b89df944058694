/**
 * What a request's log line says beyond method and status: filled in while the request runs
 * (route at routing, actor and tenant by the authentication guard, platform id and error code from
 * the route and the answer), read by the request logger when the response is finished. Kept on
 * the Node request object, which both HTTP platforms share with pino-http.
 */
export interface RequestLogContext {
  route?: string;
  actorId?: string;
  tenantId?: string;
  platformId?: string;
  errorCode?: string;
  /** The request's line has been written (an aborted request could otherwise get two). */
  logged?: boolean;
}

const CONTEXT = Symbol('service-platform.request-log-context');

type Carrier = { [CONTEXT]?: RequestLogContext };

/** The context of a Node request (`IncomingMessage`); created on first use. */
export function logContextOf(raw: object): RequestLogContext {
  const carrier = raw as Carrier;
  return (carrier[CONTEXT] ??= {});
}

/** Express's request is the Node request; Fastify's wraps it as `raw`. */
export function nodeRequestOf(request: object): object {
  const raw = (request as { raw?: unknown }).raw;
  return typeof raw === 'object' && raw !== null ? raw : request;
}

/** What an answer's JSON body tells the log: the error code, or the platform it created. */
export function noteAnswer(context: RequestLogContext, status: number, body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const answer = body as { code?: unknown; platform?: { id?: unknown } };
  if (status >= 400 && typeof answer.code === 'string') context.errorCode = answer.code;
  if (context.platformId === undefined && typeof answer.platform?.id === 'string') {
    context.platformId = answer.platform.id;
  }
}
