import type { Server as GrpcServer } from '@grpc/grpc-js';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NotFoundException, type INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module';
import type { Environment } from './config/environment';
import { newRequestId } from './observability/request-id';
import {
  MAX_PATH_PARAM_LENGTH,
  answerClientError,
  answerFrameworkError,
} from './config/framework-errors';
import { applySecurityHeaders, corsOptions } from './config/http-security';
import { AppMetrics } from './observability/app-metrics';
import { APP_LOGGERS, type AppLoggers } from './config/logger.options';
import { instrumentExpress, instrumentFastify } from './observability/http-instrumentation';
import { StartupNoiseFilter } from './observability/startup-noise-filter';
import { refuseRequestsWhileShuttingDown } from './shutdown';
import {
  ServicePlatformGrpcHealth,
  ServicePlatformMetrics,
  servicePlatformGrpcOptions,
} from './service-platform';
// The demo host answers its own errors (404s, framework errors) in the module's error body.
import { toErrorBody } from './service-platform/interface/errors/error-body';
import { ServicePlatformHttpExceptionFilter } from './service-platform/interface/errors/http-exception.filter';

export type HttpPlatform = 'fastify' | 'express';

/** Largest accepted request body (contract: over 64 KiB → 413). */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface CreateAppOptions {
  /**
   * Also serve gRPC at this `host:port` (`main.ts`: `0.0.0.0:${GRPC_PORT}`): the module's
   * `serviceplatform.v1.PlatformService`, server reflection and `grpc.health.v1.Health`
   * (following readiness). The server is connected here and starts listening with
   * `app.startAllMicroservices()`.
   */
  grpcUrl?: string;
  /** Called with the gRPC server once it is built (see `servicePlatformGrpcOptions`). */
  onGrpcServer?: (server: GrpcServer) => void;
  /** Added to the module's options (e.g. host-defined services of the catalog). */
  module?: AppModuleOptions;
}

/**
 * Builds the demo host app on Fastify (the default) or Express, configured identically:
 * security headers, CORS only for `CORS_ORIGINS`, `/api/v1` prefix, 64 KiB body limit, the
 * contract's error body everywhere, Swagger at `/api/docs`; bearer JWT authentication and the
 * per-tenant rate limit are global guards (`AuthModule`), which also run on gRPC calls. Returned
 * initialised; `main.ts` and the end-to-end tests both use it.
 */
export async function createApp(
  platform: HttpPlatform = 'fastify',
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const metrics = new AppMetrics();
  const app =
    platform === 'fastify'
      ? await createFastifyApp(metrics, options.module)
      : await createExpressApp(metrics, options.module);
  app.useLogger(new StartupNoiseFilter(app.get(Logger)));
  answerLiveness(app);
  app.setGlobalPrefix('api/v1', { exclude: ['health/live', 'health/ready'] });
  app.useGlobalFilters(new ServicePlatformHttpExceptionFilter(app.get(HttpAdapterHost)));
  setUpSwagger(app);
  if (options.grpcUrl !== undefined) {
    connectGrpc(app, options.grpcUrl, metrics, options.onGrpcServer);
  }
  await app.init();
  metrics.attach(app.get(ServicePlatformMetrics));
  // After init (the database client is up): the first readiness check sets the health status.
  if (options.grpcUrl !== undefined) await app.get(ServicePlatformGrpcHealth).start();
  if (platform === 'express') answerUnknownRoutes(app as NestExpressApplication);
  return app;
}

/**
 * The hybrid part: a gRPC server in the same process. `inheritAppConfig` shares the app's global
 * enhancers with it, so the global `JwtAuthGuard` authenticates gRPC calls too (token in the
 * `authorization` metadata); the module's gRPC controller answers errors with its own filter.
 * Reflection and health are plain grpc-js services on that server: no guard, no token.
 */
function connectGrpc(
  app: INestApplication,
  url: string,
  metrics: AppMetrics,
  onServer?: (server: GrpcServer) => void,
): void {
  const health = app.get(ServicePlatformGrpcHealth);
  app.connectMicroservice<MicroserviceOptions>(
    servicePlatformGrpcOptions({
      url,
      health,
      ...(onServer !== undefined && { onServer }),
      // grpc-js server interceptors (calls by method and code) go in through Nest's channel options.
      extra: { channelOptions: { interceptors: [metrics.grpcInterceptor] } },
    }),
    { inheritAppConfig: true },
  );
}

/** What the liveness probe answers (Terminus's body of a check with nothing to check). */
const LIVE_BODY = Object.freeze({ status: 'ok', info: {}, error: {}, details: {} });

/**
 * `GET /health/live`, answered by the HTTP server itself: alive means the event loop answers, so
 * no guard, no dependency and nothing that can wait runs for it (Nest's pipeline was most of its
 * cost). The server's hooks still run: security headers, X-Request-Id, metrics; it is not logged.
 */
function answerLiveness(app: INestApplication): void {
  const adapter = app.getHttpAdapter();
  adapter.get('/health/live', (_request: unknown, response: unknown) => {
    // As Terminus answered it: never from a cache.
    adapter.setHeader(response, 'Cache-Control', 'no-cache, no-store, must-revalidate');
    adapter.reply(response, LIVE_BODY, 200);
  });
}

/**
 * With a global prefix, Nest's Express adapter answers unknown paths only under the prefix;
 * anything else would get Express's HTML page. Registered after init, so after every route.
 */
function answerUnknownRoutes(app: NestExpressApplication): void {
  const adapter = app.getHttpAdapter();
  app.use((_request: unknown, response: unknown) => {
    const body = toErrorBody(new NotFoundException());
    adapter.reply(response, body, body.statusCode);
  });
}

async function createFastifyApp(
  metrics: AppMetrics,
  module?: AppModuleOptions,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(module, metrics),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
      frameworkErrors: answerFrameworkError,
      clientErrorHandler: answerClientError,
      // During a graceful shutdown our own hook answers 503, in the contract's body.
      return503OnClosing: false,
      // The request id of the log line and of `X-Request-Id` (the client's, when sane).
      genReqId: newRequestId,
    }),
    // Nest's own parsers would add a form (urlencoded) parser: JSON is the only body read.
    { bufferLogs: true, abortOnError: false, bodyParser: false },
  );
  acceptJsonBodiesOnly(app);
  instrumentFastify(app, metrics, app.get<AppLoggers>(APP_LOGGERS).requests);
  // onRequest hooks: every answer carries them (API, docs, health, errors, unknown routes).
  applySecurityHeaders(app, 'fastify');
  refuseRequestsWhileShuttingDown(app, 'fastify');
  enableConfiguredCors(app);
  return app;
}

/** Any charset parameter other than UTF-8 (`charset=utf-16`, `charset="latin1"`). */
const NON_UTF8_CHARSET = /;\s*charset\s*=\s*(?!"?utf-8"?\s*(;|$))/i;

/**
 * Fastify reads `application/json` only, in UTF-8 (anything else answers 415 before it is read);
 * its default `text/plain` parser is dropped. Prototype-poisoning keys are refused while parsing.
 */
function acceptJsonBodiesOnly(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (NON_UTF8_CHARSET.test(request.headers['content-type'] ?? '')) {
      done(Object.assign(new Error('Unsupported charset'), { statusCode: 415 }), undefined);
      return;
    }
    void parseJson(request, body as string, done);
  });
}

async function createExpressApp(
  metrics: AppMetrics,
  module?: AppModuleOptions,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(module, metrics), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  instrumentExpress(app, metrics, app.get<AppLoggers>(APP_LOGGERS).requests);
  // Before the body parser, so that its errors (400 malformed JSON, 413) carry them too.
  applySecurityHeaders(app, 'express');
  app.getHttpServer().on('clientError', answerClientError);
  refuseRequestsWhileShuttingDown(app, 'express');
  enableConfiguredCors(app);
  // Refuse prototype-poisoning keys while parsing, as Fastify's secure-json-parse does.
  // JSON in UTF-8 only; any other body is left unread and refused with 415 by the module.
  app.useBodyParser('json', {
    limit: BODY_LIMIT_BYTES,
    reviver: refusePrototypeKeys,
    type: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const type = request.headers['content-type'];
      return (
        typeof type === 'string' &&
        /^application\/json\s*(;|$)/i.test(type) &&
        !NON_UTF8_CHARSET.test(type)
      );
    },
  });
  // Express would add its own weak ETag to every answer; ours carry the platform version.
  app.set('etag', false);
  return app;
}

/** CORS only for the origins of CORS_ORIGINS; without it, no CORS headers at all. */
function enableConfiguredCors(app: INestApplication): void {
  const config = app.get(ConfigService<Environment, true>);
  const options = corsOptions(config.get('CORS_ORIGINS', { infer: true }));
  if (options !== undefined) app.enableCors(options);
}

function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && isObjectWithPrototype(value))) {
    throw new SyntaxError('Object contains forbidden prototype property');
  }
  return value;
}

function isObjectWithPrototype(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype');
}

function setUpSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Service Platform')
    .setDescription(
      'Which third-party services each tenant has registered, activated and configured. ' +
        'Secrets are encrypted at rest and always shown as "********". Errors share one body: ' +
        '{statusCode, error, code, message, details}. Every answer carries X-Request-Id.',
    )
    .setVersion('1')
    .setLicense('Proprietary', 'https://example.com/license')
    .addServer('/', 'The server serving this document')
    .addTag(
      'platforms',
      "A tenant's configured services: register, read, update, (de)activate, audit",
    )
    .addTag(
      'services',
      'The service catalog: each service’s fields, which are secret, its JSON Schema',
    )
    .addTag(
      'health',
      'Readiness details for platform admins (the probes are at /health/live and /health/ready)',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    // Meaningful operation ids where a route names none: `controllerMethod`.
    operationIdFactory: (controller, method) =>
      `${controller.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}${method.replace(/^./, (c) => c.toUpperCase())}`,
  });
  describeHostBehaviour(document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

type OpenApiDocument = ReturnType<typeof SwaggerModule.createDocument>;

const HEADER = (description: string, type: 'string' | 'integer' = 'string') => ({
  description,
  schema: { type },
});

/**
 * What the demo app adds to every API route, beyond the module's own description: the
 * per-tenant rate limit (429 with Retry-After, X-RateLimit-* on every answer) and X-Request-Id.
 */
function describeHostBehaviour(document: OpenApiDocument): void {
  const rateLimitHeaders = {
    'X-RateLimit-Limit': HEADER('Requests allowed per rolling minute for the tenant', 'integer'),
    'X-RateLimit-Remaining': HEADER('Requests left in the current window', 'integer'),
    'X-RateLimit-Reset': HEADER('Seconds until a request is allowed again', 'integer'),
    'X-Request-Id': HEADER('The request id: the client’s X-Request-Id when sane, else a UUID'),
  };
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, unknown>)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation))
        continue;
      const responses = (operation as { responses: Record<string, { headers?: object }> })
        .responses;
      for (const response of Object.values(responses)) {
        response.headers = { ...rateLimitHeaders, ...response.headers };
      }
      responses['429'] = {
        description: 'TOO_MANY_REQUESTS: over the tenant’s rate limit; retry after Retry-After',
        headers: {
          'Retry-After': HEADER('Seconds to wait before retrying', 'integer'),
          ...rateLimitHeaders,
        },
        content: {
          'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } },
        },
      } as { headers?: object };
    }
  }
}
