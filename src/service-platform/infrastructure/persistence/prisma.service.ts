import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Pool, type ClientConfig } from 'pg';
import { SERVICE_PLATFORM_OPTIONS } from '../../service-platform.module-definition';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import { splitSchema } from './database-url';
import { DEFAULT_SCHEMA, applyMigrations } from './migrations/migration-runner';
import { PrismaClient } from './generated/client';

/** What the module's pool is doing (readiness, metrics, tests). */
export interface PoolStats {
  /** Connections open, idle or in use. */
  readonly total: number;
  readonly idle: number;
  /** Requests waiting for a connection (each waits at most `connectionTimeoutMs`). */
  readonly waiting: number;
  readonly max: number;
}

export const DEFAULT_APPLICATION_NAME = 'service-platform';

/**
 * The module's Prisma client (query compiler + `pg` driver adapter, no Rust engine), on the
 * host's `pg.Pool` or on a pool of its own built from `database.url`. Its tables are in their
 * own schema (`database.schema`, default `service_platform`). Connections open lazily, so the
 * app starts (and reports not-ready) while the database is down, and requests fail with 503
 * instead of hanging.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnApplicationShutdown {
  /** The PostgreSQL schema the tables live in, for the few raw SQL statements. */
  readonly schema: string;
  /** Connection settings of the module's dedicated connections (LISTEN, migrations). */
  readonly clientConfig: ClientConfig;
  /** Connection and query limits, for the module's other `pg` connections (LISTEN). */
  readonly connectionTimeoutMs: number;
  /** `host:port/database/schema`: tells deployments sharing a Redis apart (no credentials). */
  readonly namespace: string;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly logger = new Logger('ServicePlatformDatabase');

  constructor(
    @Inject(SERVICE_PLATFORM_OPTIONS) private readonly options: ServicePlatformModuleOptions,
  ) {
    const database = options.database;
    const { poolSize = 10, connectionTimeoutMs = 5000, queryTimeoutMs = 10_000 } = database;
    const applicationName = database.applicationName ?? DEFAULT_APPLICATION_NAME;
    const logger = new Logger('ServicePlatformDatabase');
    let pool: Pool;
    let clientConfig: ClientConfig;
    let schema = database.schema;
    if (database.pool !== undefined) {
      pool = database.pool;
      const { max, min, idleTimeoutMillis, allowExitOnIdle, ...settings } = pool.options;
      void [max, min, idleTimeoutMillis, allowExitOnIdle];
      clientConfig = { ...settings, application_name: applicationName };
    } else {
      const split = splitSchema(database.url);
      schema ??= split.schema;
      clientConfig = {
        connectionString: split.connectionString,
        connectionTimeoutMillis: connectionTimeoutMs,
        keepAlive: true,
        // Named in pg_stat_activity, so that an operator can tell the module's connections apart.
        application_name: applicationName,
      };
      // A request waits at most `connectionTimeoutMs` for a connection, then fails with 503:
      // with more requests than connections, waiting is bounded in time (and so in memory).
      pool = new Pool({
        ...clientConfig,
        max: poolSize,
        // Client-side limit (a silent server) and server-side limit (a slow statement).
        query_timeout: queryTimeoutMs,
        statement_timeout: queryTimeoutMs,
      });
      // An idle connection dropped by the server (a restart, an administrator) must not crash
      // the process: the pool emits 'error' for it, always heard here (the adapter listens only
      // while connected). A host's pool is the host's to listen to.
      pool.on('error', (error) => logger.warn(`PostgreSQL pool error: ${error.message}`));
    }
    const resolvedSchema = schema ?? DEFAULT_SCHEMA;
    super({ adapter: new PrismaPg(pool, { schema: resolvedSchema }) });
    this.pool = pool;
    this.ownsPool = database.pool === undefined;
    this.schema = resolvedSchema;
    this.clientConfig = clientConfig;
    this.connectionTimeoutMs = connectionTimeoutMs;
    this.namespace = databaseNamespace(database);
  }

  get poolStats(): PoolStats {
    return {
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
      max: this.pool.options.max ?? 10,
    };
  }

  /** A connection of its own (LISTEN, migrations), with the pool's settings; the caller ends it. */
  newClient(): Client {
    return new Client(this.clientConfig);
  }

  /** `migrations: 'apply-on-start'`: before anything else of the module touches the tables. */
  async onModuleInit(): Promise<void> {
    if (this.options.migrations !== 'apply-on-start') return;
    const client = this.newClient();
    await client.connect();
    try {
      await applyMigrations(client, {
        schema: this.schema,
        log: (line) => this.logger.log(line),
      });
    } finally {
      await client.end();
    }
  }

  /** Last: other providers (the outbox relay, host apps' own shutdown) may still query on destroy. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    if (this.ownsPool) await this.pool.end();
  }
}

/**
 * `host:port/database/schema` of the module's database option, without credentials: tells
 * deployments sharing a Redis apart (the read cache's keys).
 */
export function databaseNamespace(database: ServicePlatformModuleOptions['database']): string {
  if (database.pool !== undefined) {
    // As `pg` reads a pool's options: its connection string, when it has one, over the fields.
    const { connectionString, host, port, database: name } = database.pool.options;
    const server = serverOf(
      connectionString === undefined ? { host, port, database: name } : { connectionString },
    );
    return `${server}/${database.schema ?? DEFAULT_SCHEMA}`;
  }
  const split = splitSchema(database.url);
  const schema = database.schema ?? split.schema ?? DEFAULT_SCHEMA;
  return `${serverOf({ connectionString: split.connectionString })}/${schema}`;
}

function serverOf(config: ClientConfig): string {
  if (config.connectionString !== undefined) {
    try {
      const url = new URL(config.connectionString);
      const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
      return `${url.hostname}:${url.port === '' ? '5432' : url.port}/${database}`;
    } catch {
      return 'default';
    }
  }
  return `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? ''}`;
}
