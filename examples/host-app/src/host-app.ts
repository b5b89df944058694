import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { ServicePlatformGrpcHealth, servicePlatformGrpcOptions } from 'service-platform';
import { AppModule, type HostAppOptions } from './app.module';

export interface StartOptions extends HostAppOptions {
  /** `host:port` of the gRPC server (the module's PlatformService). */
  grpcUrl: string;
  /** HTTP port (0: any free one). */
  httpPort: number;
}

/** The host app: REST (the module's routes and its own), and gRPC. */
export async function startHostApp(options: StartOptions): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(options), { logger: ['error', 'warn'] });
  app.connectMicroservice<MicroserviceOptions>(
    servicePlatformGrpcOptions({
      url: options.grpcUrl,
      health: app.get(ServicePlatformGrpcHealth),
    }),
    // The host's global guard (its API keys) runs on gRPC calls too.
    { inheritAppConfig: true },
  );
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(options.httpPort, '127.0.0.1');
  return app;
}
