import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PlatformViewCache } from '../../application/ports/platform-view-cache.port';
import { SERVICE_PLATFORM_OPTIONS } from '../../service-platform.module-definition';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import { PgListenConnection } from './pg-listen.connection';
import { PrismaService } from './prisma.service';

/** The channel the `service_platforms` update trigger notifies (`<schema> <id> <version>`). */
export const PLATFORM_CHANGED_CHANNEL = 'service_platform_changed';

/**
 * Keeps every instance's read cache honest: PostgreSQL notifies each committed version change to
 * every listening instance, which then drops older copies (the writing instance has already
 * cached the new view; other instances, and Redis when the writer died before refreshing it,
 * learn of it here). Notifications are lost while the connection is down: the in-process tier is
 * only used while it listens, and starts empty each time it listens again.
 */
@Injectable()
export class PgPlatformChangeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ServicePlatformCache');
  private readonly connection: PgListenConnection;

  constructor(
    prisma: PrismaService,
    private readonly cache: PlatformViewCache,
    @Inject(SERVICE_PLATFORM_OPTIONS) private readonly options: ServicePlatformModuleOptions,
  ) {
    this.connection = new PgListenConnection(PLATFORM_CHANGED_CHANNEL, prisma, this.logger, {
      fields: 2,
      onNotification: ([platformId, version]) => {
        const at = Number(version);
        if (platformId !== undefined && Number.isSafeInteger(at)) {
          void this.cache.invalidate(platformId, at);
        }
      },
      onListening: () => this.cache.resumeLocal(),
      onLost: () => this.cache.suspendLocal(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.cache?.enabled === false) return;
    // Not fatal: the connection keeps retrying; until it listens, reads skip the in-process tier.
    await this.connection.open().catch((error: unknown) => {
      this.logger.warn(
        `Cannot listen for platform changes yet (${error instanceof Error ? error.message : String(error)}); retrying`,
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}
