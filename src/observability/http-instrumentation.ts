import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage } from 'node:http';
import type pino from 'pino';
import { CLIENT_CLOSED_REQUEST, logRequest, requestLogFields, skipRequestLog } from './request-log';
import { newRequestId } from './request-id';
import type { AppMetrics } from './app-metrics';
import { logContextOf, noteAnswer } from './request-log-context';

const UNMATCHED = 'unmatched';

/** The path of a request URL, without its query string. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function platformIdOf(params: unknown): string | undefined {
  const id = (params as { platform_id?: unknown } | undefined)?.platform_id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Route, platform id and error code for the request log, and request metrics, on Fastify: the
 * matched route pattern is known at `onRequest`, the answer at `onSend`, the status and duration
 * at `onResponse` (every answer: 404s, guard refusals and errors too).
 */
export function instrumentFastify(
  app: NestFastifyApplication,
  metrics: AppMetrics,
  requests: pino.Logger,
): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    // Fastify made the id with `newRequestId` (the client's X-Request-Id when sane): echo it.
    void reply.header('X-Request-Id', request.id);
    const context = logContextOf(request.raw);
    context.route = request.routeOptions.url;
    context.platformId ??= platformIdOf(request.params);
    // The connection closed before the answer was sent: no onResponse will say so. (Fastify's
    // onRequestAbort hook listens the same way, one listener a request, but is not handed the
    // reply, whose elapsed time the line carries.)
    reply.raw.once('close', () => {
      if (reply.raw.writableFinished || context.logged === true) return;
      record({
        id: request.id,
        method: request.method,
        route: request.routeOptions.url,
        url: request.url,
        statusCode: CLIENT_CLOSED_REQUEST,
        elapsedMs: reply.elapsedTime,
        raw: request.raw,
      });
    });
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const status = reply.statusCode;
    if (
      (status >= 400 || status === 201) &&
      typeof payload === 'string' &&
      payload.length < 65_536
    ) {
      try {
        noteAnswer(logContextOf(request.raw), status, JSON.parse(payload));
      } catch {
        // Not JSON: nothing to note.
      }
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    record({
      id: request.id,
      method: request.method,
      route: request.routeOptions.url,
      url: request.url,
      statusCode: reply.statusCode,
      elapsedMs: reply.elapsedTime,
      raw: request.raw,
    });
    done();
  });

  /** A request's metrics and its one log line. */
  function record(done: {
    id: string;
    method: string;
    route: string | undefined;
    url: string;
    statusCode: number;
    elapsedMs: number;
    raw: IncomingMessage;
  }): void {
    const context = logContextOf(done.raw);
    if (context.logged === true) return;
    context.logged = true;
    metrics.recordHttp(
      done.method,
      done.route ?? UNMATCHED,
      done.statusCode,
      done.elapsedMs / 1000,
    );
    const path = pathOf(done.url);
    if (skipRequestLog(path)) return;
    logRequest(requests, {
      id: done.id,
      method: done.method,
      path,
      statusCode: done.statusCode,
      responseTimeMs: done.elapsedMs,
      fields: requestLogFields(done.raw),
    });
  }
}

interface ExpressRequest {
  id?: string;
  method: string;
  url?: string;
  originalUrl?: string;
  route?: { path?: string };
  params?: unknown;
}

interface ExpressResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  json: (body: unknown) => unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/** The same on Express, from a middleware registered first. */
export function instrumentExpress(
  app: NestExpressApplication,
  metrics: AppMetrics,
  requests: pino.Logger,
): void {
  app.use((request: ExpressRequest, response: ExpressResponse, next: () => void) => {
    const started = process.hrtime.bigint();
    // The request id of the log line, echoed in X-Request-Id.
    request.id = newRequestId(request as unknown as IncomingMessage);
    response.setHeader('X-Request-Id', request.id);
    const context = logContextOf(request);
    const json = response.json.bind(response);
    response.json = (body: unknown) => {
      noteAnswer(context, response.statusCode, body);
      return json(body);
    };
    const record = (statusCode: number): void => {
      if (context.logged === true) return;
      context.logged = true;
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      metrics.recordHttp(
        request.method,
        request.route?.path ?? UNMATCHED,
        statusCode,
        elapsedMs / 1000,
      );
      const path = pathOf(request.originalUrl ?? request.url ?? '');
      if (!skipRequestLog(path)) {
        // Routed by now: the route pattern and the platform id.
        context.route ??= request.route?.path;
        context.platformId ??= platformIdOf(request.params);
        logRequest(requests, {
          id: request.id as string,
          method: request.method,
          path,
          statusCode,
          responseTimeMs: elapsedMs,
          fields: requestLogFields(request as unknown as IncomingMessage),
        });
      }
    };
    response.once('finish', () => record(response.statusCode));
    // The connection closed before the answer was sent: 'finish' never comes ('close' follows
    // it otherwise). `writableFinished` would not tell: an answer ended into a destroyed socket
    // counts as finished, though it never left.
    response.once('close', () => record(CLIENT_CLOSED_REQUEST));
    next();
  });
}

export type InstrumentedApp = INestApplication;
