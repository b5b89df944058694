import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, type HttpPlatform } from '../../src/bootstrap';

export const PLATFORMS: readonly HttpPlatform[] = ['fastify', 'express'];

/**
 * The demo host app, built exactly as `main.ts` builds it, listening on an ephemeral port.
 * `env` overrides process.env for this app's start-up only.
 */
export async function startTestApp(
  platform: HttpPlatform,
  env: Record<string, string | undefined> = {},
): Promise<INestApplication> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const app = await createApp(platform);
    await app.init();
    if (platform === 'fastify') {
      await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
    }
    return app;
  } finally {
    process.env = saved;
  }
}
