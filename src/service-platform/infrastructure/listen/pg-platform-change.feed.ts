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
import { qualifiedTable } from '../persistence/prisma-sql';
import { PrismaService } from '../persistence/prisma.service';
import { messageOf } from '../../application/error-message';

/** The channel the `service_platforms` update trigger notifies (`<schema> <id> <version>`). */
export const PLATFORM_CHANGED_CHANNEL = 'service_platform_changed';

const CATCH_UP_RETRY_MS = 5_000;
const CATCH_UP_MARGIN_MS = 5 * 60_000;

/**
 * Keeps every instance's read cache honest: PostgreSQL notifies each committed version change to
 * every listening instance, which then drops older copies (the writing instance has already
 * cached the new view; other instances, and Redis when the writer died before refreshing it,
 * learn of it here). Notifications are lost while the connection is down: the in-process tier is
 * only used while it listens, and starts empty each time it listens again.
 *
 * A change can also be missed by everyone: its writer died before refreshing Redis while no
 * other instance listened (a lone instance, a restart of all of them). So each time the feed
 * starts listening it reads the versions of the platforms changed within the Redis TTL and has
 * the cache drop older views of them from Redis (`PlatformViewCache.catchUp`).
 */
@Injectable()
export class PgPlatformChangeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ServicePlatformCache');
  private readonly connection: PgListenConnection;
  private listening = false;
  private catchUpRetry: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaService,
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
      onListening: () => {
        this.listening = true;
        this.cache.resumeLocal();
        void this.catchUp();
      },
      onLost: () => {
        this.listening = false;
        this.cache.suspendLocal();
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.cache?.enabled === false) return;
    // Not fatal: the connection keeps retrying; until it listens, reads skip the in-process tier.
    await this.connection.open().catch((error: unknown) => {
      this.logger.warn(`Cannot listen for platform changes yet (${messageOf(error)}); retrying`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.listening = false;
    clearTimeout(this.catchUpRetry);
    await this.connection.close();
  }

  /** Retried every few seconds while it fails and the feed still listens. */
  private async catchUp(): Promise<void> {
    clearTimeout(this.catchUpRetry);
    const windowMs = this.cache.sharedWindowMs();
    if (windowMs === 0) return;
    try {
      // The database's clock, with a margin for writers' clocks and for entries whose TTL a late
      // write renewed. Version 1 has no older view to drop.
      const seconds = Math.ceil((windowMs + CATCH_UP_MARGIN_MS) / 1000);
      const table = qualifiedTable(this.prisma.schema, 'service_platforms');
      const rows = await this.prisma.$queryRaw<{ id: string; version: number }[]>`
        SELECT id::text AS id, version FROM ${table}
         WHERE updated_at > now() - make_interval(secs => ${seconds}::double precision) AND version > 1`;
      this.cache.catchUp(rows.map((row) => ({ platformId: row.id, version: row.version })));
    } catch (error) {
      if (!this.listening) return;
      this.logger.warn(
        `Cannot read recent platform changes for the Redis cache yet (${messageOf(error)}); retrying`,
      );
      this.catchUpRetry = setTimeout(() => void this.catchUp(), CATCH_UP_RETRY_MS);
      this.catchUpRetry.unref();
    }
  }
}
