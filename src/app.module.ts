import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth';
import { validateEnvironment, type Environment } from './config/environment';
import {
  APP_LOGGERS,
  createAppLoggers,
  logDestination,
  loggerParams,
  type AppLoggers,
} from './config/logger.options';
import { AppMetrics } from './observability/app-metrics';
import { HealthDetailsController } from './health/health-details.controller';
import { HealthController } from './health/health.controller';
import { ServicePlatformModule, type ServicePlatformModuleOptions } from './service-platform';

/**
 * The demo host app: configuration, logging, authentication (bearer JWT → `request.user`),
 * per-tenant rate limiting and health around the Service Platform module.
 * `forRoot()` reads and validates the environment when it is called (not when this file is
 * imported), so each app built in one process sees the environment of its own start-up.
 */
/** What a caller of `AppModule.forRoot()` may add to the module's options (tests, examples). */
export interface AppModuleOptions {
  /** The module's service catalog options (host-defined services, unknown services allowed). */
  catalog?: ServicePlatformModuleOptions['catalog'];
}

@Module({})
export class AppModule {
  static forRoot(app: AppModuleOptions = {}, metrics = new AppMetrics()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          cache: true,
          ignoreEnvFile: true,
          // main.ts validated it already, with its warnings: once is enough.
          validate: (raw) => validateEnvironment(raw, { warn: false }),
        }),
        LoggerModule.forRootAsync({
          providers: [
            {
              provide: APP_LOGGERS,
              inject: [ConfigService],
              useFactory: (config: ConfigService<Environment, true>): AppLoggers =>
                createAppLoggers(
                  config.get('LOG_LEVEL', { infer: true }),
                  logDestination(config.get('LOG_FILE', { infer: true })),
                ),
            },
          ],
          inject: [APP_LOGGERS],
          useFactory: loggerParams,
        }),
        TerminusModule,
        // Before the module: its global guards (JWT, then rate limit) run first.
        AuthModule.forRoot(),
        ServicePlatformModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>) => ({
            database: {
              url: databaseUrl(config.get('DATABASE_URL', { infer: true })),
              poolSize: config.get('DATABASE_POOL_SIZE', { infer: true }),
              queryTimeoutMs: config.get('DATABASE_QUERY_TIMEOUT_MS', { infer: true }),
              connectionTimeoutMs: config.get('DATABASE_CONNECTION_TIMEOUT_MS', { infer: true }),
            },
            migrations: config.get('DATABASE_MIGRATIONS', { infer: true }),
            encryption: { keys: config.get('ENCRYPTION_KEYS', { infer: true }) },
            ...redisOption(config.get('REDIS_URL', { infer: true })),
            events: {
              relay: {
                enabled: config.get('OUTBOX_RELAY_ENABLED', { infer: true }),
                retentionMs: config.get('OUTBOX_RETENTION_HOURS', { infer: true }) * 3_600_000,
              },
            },
            catalog: {
              allowUnknownServices: config.get('CATALOG_ALLOW_UNKNOWN_SERVICES', { infer: true }),
              ...app.catalog,
            },
          }),
        }),
      ],
      controllers: [HealthController, HealthDetailsController],
      providers: [{ provide: AppMetrics, useValue: metrics }],
    };
  }
}

/** main.ts starts the embedded PostgreSQL and sets DATABASE_URL before the app is built. */
function databaseUrl(url: string | undefined): string {
  if (url === undefined) {
    throw new Error(
      'DATABASE_URL is not set: `npm start` runs an embedded PostgreSQL; otherwise set DATABASE_URL',
    );
  }
  return url;
}

function redisOption(url: string | undefined): Pick<ServicePlatformModuleOptions, 'redis'> {
  return url === undefined || url.trim() === '' ? {} : { redis: { url } };
}
