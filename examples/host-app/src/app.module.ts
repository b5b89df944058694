import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ServicePlatformModule } from 'service-platform';
import { PlatformActivityHandler } from './activity/platform-activity.handler';
import { ApiKeyGuard } from './auth/api-key.guard';
import { toPlatformActor } from './auth/host-user';
import { HostDatabase, HostDatabaseModule } from './database/host-database';
import { IntegrationsController } from './integrations/integrations.controller';

export interface HostAppOptions {
  /** Serve the module's REST routes (default true). */
  platformHttp?: boolean;
}

@Module({})
export class AppModule {
  static register(options: HostAppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The host's own CQRS configuration; the module works beside it.
        CqrsModule.forRoot(),
        HostDatabaseModule,
        ServicePlatformModule.forRootAsync({
          imports: [HostDatabaseModule],
          inject: [HostDatabase],
          useFactory: (database: HostDatabase) => ({
            // The host's pool: the module queries on it, opens only its LISTEN connections
            // apart (application_name service-platform), and never ends it.
            database: { pool: database.pool },
            encryption: { keys: required('ENCRYPTION_KEYS') },
            ...(process.env.REDIS_URL ? { redis: { url: process.env.REDIS_URL } } : {}),
            resolveActor: toPlatformActor,
          }),
          http: { enabled: options.platformHttp ?? true },
        }),
      ],
      controllers: [IntegrationsController],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }, PlatformActivityHandler],
    };
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
