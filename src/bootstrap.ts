import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ServicePlatformHttpExceptionFilter } from './service-platform';

export type HttpPlatform = 'fastify' | 'express';

/** Largest accepted request body (contract: over 64 KiB → 413). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Builds the demo host app on Fastify (the default) or Express, configured identically:
 * `/api/v1` prefix, 64 KiB body limit, the contract's error body everywhere, Swagger at
 * `/api/docs`. `main.ts` and the end-to-end tests both use it.
 */
export async function createApp(platform: HttpPlatform = 'fastify'): Promise<INestApplication> {
  const app =
    platform === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(
          AppModule.forRoot(),
          new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }),
          { bufferLogs: true, abortOnError: false },
        )
      : await createExpressApp();
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api/v1', { exclude: ['health/live', 'health/ready'] });
  app.useGlobalFilters(new ServicePlatformHttpExceptionFilter(app.get(HttpAdapterHost)));
  app.enableShutdownHooks();
  setUpSwagger(app);
  return app;
}

async function createExpressApp(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
  // Express would add its own weak ETag to every answer; ours carry the platform version.
  app.set('etag', false);
  return app;
}

function setUpSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Service Platform')
    .setDescription(
      'Which third-party services each tenant has registered, activated and configured. ' +
        'Secrets are encrypted at rest and always shown as "********". Errors share one body: ' +
        '{statusCode, error, code, message, details}.',
    )
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
