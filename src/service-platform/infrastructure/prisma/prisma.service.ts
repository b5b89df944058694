import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { SERVICE_PLATFORM_OPTIONS } from '../../service-platform.module-definition';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import { PrismaClient } from './generated/client';

/**
 * The module's own Prisma client (query compiler + `pg` driver adapter, no Rust engine), built
 * from the options the host app gave. Connections open lazily, so the app starts (and reports
 * not-ready) while the database is down, and requests fail with 503 instead of hanging.
 */
/** What the module's pool is doing (readiness, metrics, tests). */
export interface PoolStats {
  /** Connections open, idle or in use. */
  readonly total: number;
  readonly idle: number;
  /** Requests waiting for a connection (each waits at most `connectionTimeoutMs`). */
  readonly waiting: number;
  readonly max: number;
}

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  /** The PostgreSQL schema the tables live in, for the few raw SQL statements. */
  readonly schema: string;
  /** The connection string without Prisma's `schema` parameter (what `pg` understands). */
  readonly connectionString: string;
  /** Connection and query limits, for the module's other `pg` connections (LISTEN). */
  readonly connectionTimeoutMs: number;
  private readonly pool: Pool;

  constructor(@Inject(SERVICE_PLATFORM_OPTIONS) options: ServicePlatformModuleOptions) {
    const {
      url,
      poolSize = 10,
      connectionTimeoutMs = 5000,
      queryTimeoutMs = 10_000,
    } = options.database;
    const { schema, connectionString } = splitSchema(url);
    const logger = new Logger(PrismaService.name);
    // A request waits at most `connectionTimeoutMs` for a connection, then fails with 503: with
    // more requests than connections, waiting is bounded in time (and so in memory).
    const pool = new Pool({
      connectionString,
      max: poolSize,
      connectionTimeoutMillis: connectionTimeoutMs,
      // Client-side limit (a silent server) and server-side limit (a slow statement).
      query_timeout: queryTimeoutMs,
      statement_timeout: queryTimeoutMs,
      keepAlive: true,
      // Named in pg_stat_activity, so that an operator can tell the module's connections apart.
      application_name: 'service-platform',
    });
    // An idle connection dropped by the server (a restart, an administrator) must not crash the
    // process: the pool emits 'error' for it, always heard here (the adapter listens only while
    // connected).
    pool.on('error', (error) => logger.warn(`PostgreSQL pool error: ${error.message}`));
    super({ adapter: new PrismaPg(pool, schema !== undefined ? { schema } : {}) });
    this.pool = pool;
    this.schema = schema ?? 'public';
    this.connectionString = connectionString;
    this.connectionTimeoutMs = connectionTimeoutMs;
  }

  get poolStats(): PoolStats {
    return {
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
      max: this.pool.options.max ?? 10,
    };
  }

  /** Last: other providers (the outbox relay, host apps' own shutdown) may still query on destroy. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end();
  }
}

/** `pg` ignores Prisma's `?schema=` URL parameter: hand it to the adapter instead. */
function splitSchema(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), ...(schema !== undefined && { schema }) };
}
