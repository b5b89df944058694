import 'reflect-metadata';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { ConfigService } from '@nestjs/config';
import { createApp } from './bootstrap';
import { validateEnvironment, type Environment } from './config/environment';
import { shutDownGracefullyOnSignals } from './shutdown';

async function main(): Promise<void> {
  // Fail fast with a readable message (no stack trace) when the environment is invalid.
  const { GRPC_PORT, SHUTDOWN_TIMEOUT_MS } = validateEnvironment(process.env);
  const grpcServers: GrpcServer[] = [];
  const app = await createApp('fastify', {
    grpcUrl: `0.0.0.0:${GRPC_PORT}`,
    onGrpcServer: (server) => grpcServers.push(server),
  });
  shutDownGracefullyOnSignals(app, grpcServers, SHUTDOWN_TIMEOUT_MS);
  const port = app.get(ConfigService<Environment, true>).get('PORT', { infer: true });
  // REST on PORT and gRPC on GRPC_PORT, one process.
  await app.startAllMicroservices();
  await app.listen(port, '0.0.0.0');
}

main().catch((error: unknown) => {
  // Configuration errors are written for humans: print the message, not a stack trace.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
