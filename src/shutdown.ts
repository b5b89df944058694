import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  PlatformErrorCode,
  ServicePlatformGrpcHealth,
  ServicePlatformReadiness,
} from './service-platform';
import type { HttpPlatform } from './bootstrap';

/** What a request gets once the app is shutting down (the contract's error body). */
const SHUTTING_DOWN = {
  statusCode: 503,
  error: 'Service Unavailable',
  code: PlatformErrorCode.ServiceUnavailable,
  message: 'The service is shutting down; retry on another instance',
  details: [],
};

/** Probes answer for themselves while shutting down (readiness: 503 with its report). */
const isProbe = (url: string | undefined): boolean => (url ?? '').startsWith('/health/');

/**
 * Once a graceful shutdown has begun, a new request (on a connection kept alive from before)
 * answers 503 with `Connection: close`, so that the client moves to another instance; requests
 * already in flight are not affected, and the health probes still answer.
 */
export function refuseRequestsWhileShuttingDown(
  app: INestApplication,
  platform: HttpPlatform,
): void {
  const readiness = app.get(ServicePlatformReadiness);
  if (platform === 'fastify') {
    (app as NestFastifyApplication)
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', (request, reply, done) => {
        if (!readiness.shuttingDown || isProbe(request.url)) {
          done();
          return;
        }
        void reply.code(503).header('Connection', 'close').send(SHUTTING_DOWN);
      });
  } else {
    (app as NestExpressApplication).use(
      (
        request: { url?: string },
        response: {
          status(code: number): { set(name: string, value: string): { json(body: unknown): void } };
        },
        next: () => void,
      ) => {
        if (!readiness.shuttingDown || isProbe(request.url)) {
          next();
          return;
        }
        response.status(503).set('Connection', 'close').json(SHUTTING_DOWN);
      },
    );
  }
}

/**
 * SIGTERM (and SIGINT): a graceful shutdown, bounded by `timeoutMs`.
 * 1. Readiness turns 503 at once (and gRPC health NOT_SERVING); new requests answer 503.
 * 2. The HTTP server stops listening and the gRPC server refuses new calls; requests and calls in
 *    flight finish.
 * 3. The application closes: the outbox relay finishes its round and dispatches what those
 *    requests committed, then the database pools and Redis connections close.
 * The process then exits 0; past `timeoutMs` the remaining work is abandoned and it exits 1.
 * (Nest's own `enableShutdownHooks()` closes the application before its servers, so the relay
 * would stop before the last requests commit: their events would wait for the next instance.)
 */
export function shutDownGracefullyOnSignals(
  app: INestApplication,
  grpcServers: readonly GrpcServer[],
  timeoutMs: number,
  /** Run after the app has closed (e.g. stopping the embedded PostgreSQL it used). */
  afterClose: () => Promise<void> = () => Promise.resolve(),
): void {
  const logger = new Logger('Shutdown');
  let started = false;
  const shutDown = (signal: NodeJS.Signals): void => {
    if (started) return;
    started = true;
    const since = Date.now();
    logger.log(`${signal}: shutting down (at most ${timeoutMs} ms)`);
    app.get(ServicePlatformReadiness).beginShutdown();
    // gRPC health watchers hear NOT_SERVING now, not at the next periodic check.
    void app.get(ServicePlatformGrpcHealth).refresh();
    const deadline = setTimeout(() => {
      logger.error(`Shutdown did not finish within ${timeoutMs} ms: exiting with work in flight`);
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    stopServers(app, grpcServers)
      .then(() => app.close())
      .then(afterClose)
      .then(
        () => {
          logger.log(`Shut down in ${Date.now() - since} ms`);
          process.exit(0);
        },
        (error: unknown) => {
          logger.error(
            `Shutdown failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
}

/** Stops accepting, and waits for what is in flight: HTTP requests and gRPC calls. */
async function stopServers(
  app: INestApplication,
  grpcServers: readonly GrpcServer[],
): Promise<void> {
  await Promise.all([
    app.getHttpAdapter().close(),
    ...grpcServers.map(
      (server) => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    ),
  ]);
}
