import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppModuleOptions } from '../../src/app.module';
import { createApp, type HttpPlatform } from '../../src/bootstrap';
import { freePort } from './grpc-client';

export const PLATFORMS: readonly HttpPlatform[] = ['fastify', 'express'];

/**
 * The demo host app, built exactly as `main.ts` builds it, listening on an ephemeral port.
 * `env` overrides process.env for this app's start-up only.
 */
export async function startTestApp(
  platform: HttpPlatform,
  env: Record<string, string | undefined> = {},
  module?: AppModuleOptions,
): Promise<INestApplication> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const app = await createApp(platform, module === undefined ? {} : { module });
    await app.init();
    if (platform === 'fastify') {
      await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
    }
    return app;
  } finally {
    process.env = saved;
  }
}

/** The demo app serving REST (ephemeral port of 127.0.0.1) and gRPC (`address`). */
export interface HybridTestApp {
  app: INestApplication;
  /** `127.0.0.1:<port>` of the gRPC server. */
  address: string;
}

/**
 * The demo host app with its gRPC server, as `main.ts` starts it (`createApp` with `grpcUrl`,
 * then `startAllMicroservices`), on a free port of 127.0.0.1; REST listens too (parity tests).
 */
export async function startHybridTestApp(
  platform: HttpPlatform = 'fastify',
  env: Record<string, string | undefined> = {},
  module?: AppModuleOptions,
): Promise<HybridTestApp> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    // The port is free a moment before the server binds it: retry in the unlikely race.
    for (let attempt = 1; ; attempt++) {
      const address = `127.0.0.1:${await freePort()}`;
      const app = await createApp(platform, {
        grpcUrl: address,
        ...(module !== undefined && { module }),
      });
      try {
        await app.startAllMicroservices();
        await app.listen(0, '127.0.0.1');
        return { app, address };
      } catch (error) {
        await app.close();
        if (attempt >= 3) throw error;
      }
    }
  } finally {
    process.env = saved;
  }
}
