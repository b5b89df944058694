import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage } from 'node:http';
import { newRequestId } from './request-id';
import type { AppMetrics } from './app-metrics';
import { logContextOf, noteAnswer } from './request-log-context';

const UNMATCHED = 'unmatched';

function platformIdOf(params: unknown): string | undefined {
  const id = (params as { platform_id?: unknown } | undefined)?.platform_id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Route, platform id and error code for the request log, and request metrics, on Fastify: the
 * matched route pattern is known at `onRequest`, the answer at `onSend`, the status and duration
 * at `onResponse` (every answer: 404s, guard refusals and errors too).
 */
export function instrumentFastify(app: NestFastifyApplication, metrics: AppMetrics): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    // Fastify made the id with `newRequestId` (the client's X-Request-Id when sane): echo it.
    void reply.header('X-Request-Id', request.id);
    const context = logContextOf(request.raw);
    context.route = request.routeOptions.url;
    context.platformId ??= platformIdOf(request.params);
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
    metrics.recordHttp(
      request.method,
      request.routeOptions.url ?? UNMATCHED,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}

interface ExpressRequest {
  id?: string;
  method: string;
  route?: { path?: string };
  params?: unknown;
}

interface ExpressResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  json: (body: unknown) => unknown;
  on(event: 'finish', listener: () => void): unknown;
}

/** The same on Express, from a middleware registered first. */
export function instrumentExpress(app: NestExpressApplication, metrics: AppMetrics): void {
  app.use((request: ExpressRequest, response: ExpressResponse, next: () => void) => {
    const started = process.hrtime.bigint();
    // The request id of the log line (pino-http reads `id`), echoed in X-Request-Id.
    request.id = newRequestId(request as unknown as IncomingMessage);
    response.setHeader('X-Request-Id', request.id);
    const context = logContextOf(request);
    const json = response.json.bind(response);
    response.json = (body: unknown) => {
      noteAnswer(context, response.statusCode, body);
      return json(body);
    };
    response.on('finish', () => {
      metrics.recordHttp(
        request.method,
        request.route?.path ?? UNMATCHED,
        response.statusCode,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  });
}

/** The route pattern and platform id of an Express request, once routed (for the log line). */
export function expressRouteOf(request: object): { route?: string; platformId?: string } {
  const routed = request as ExpressRequest;
  return {
    ...(routed.route?.path !== undefined && { route: routed.route.path }),
    ...(platformIdOf(routed.params) !== undefined && { platformId: platformIdOf(routed.params) }),
  };
}

export type InstrumentedApp = INestApplication;
