import type { Redis } from 'ioredis';
import type { Actor } from './domain/actor';
import type { Pool } from 'pg';
import type { ServiceCatalogOptions } from './application/catalog/service-catalog';
import type { OutboxRelaySettings } from './application/events/outbox-relay.settings';

/** Connection settings that apply when the module opens its own pool (from `url`). */
interface OwnPoolSettings {
  /** Maximum connections of the module's pool (default 10). */
  poolSize?: number;
  /** Milliseconds to wait for a connection before the request fails with 503 (default 5000). */
  connectionTimeoutMs?: number;
  /**
   * Milliseconds a query may take before it is abandoned and the request fails with 503
   * (default 10000): a database that stops answering on an open connection must not hang
   * requests.
   */
  queryTimeoutMs?: number;
}

/** Where the module's tables are. */
export type ServicePlatformDatabaseOptions = (
  | ({
      /** PostgreSQL connection string, e.g. `postgresql://user:pass@host:5432/db`. */
      url: string;
      pool?: never;
    } & OwnPoolSettings)
  | ({
      /**
       * The host app's own `pg.Pool`: the module runs its queries on it and never ends it. Its
       * LISTEN connections (outbox, cache invalidation) are opened apart, with the pool's
       * connection settings, and closed by the module. Size and timeouts are the pool's own
       * (`max`, `connectionTimeoutMillis`, `query_timeout`): the module's settings for them do
       * not apply, and are refused here rather than ignored.
       */
      pool: Pool;
      url?: never;
    } & { [Setting in keyof OwnPoolSettings]?: never })
) & {
  /**
   * The PostgreSQL schema of the module's tables (default `service_platform`), so that they
   * never meet the host's own (Prisma's default is `public`). A `?schema=` in `url` is
   * honoured when this is not given.
   */
  schema?: string;
  /** `application_name` of the connections the module opens (default `service-platform`). */
  applicationName?: string;
};

/** The Redis the module publishes events to and caches in. */
export type ServicePlatformRedisOptions =
  | {
      /** `redis://[:password@]host:6379[/db]` (`rediss://` for TLS): the module's own clients. */
      url: string;
      client?: never;
    }
  | {
      /** The host app's own ioredis client: used as it is, never closed by the module. */
      client: Redis;
      url?: never;
    };

/**
 * Given beside the options to `forRoot()`, or beside `useFactory` to `forRootAsync()`: they
 * decide which controllers the module declares, so they cannot come from an async factory.
 */
export interface ServicePlatformModuleExtras {
  /** `enabled: false`: no REST controller is registered; the facade still works. Default true. */
  http?: { enabled?: boolean };
  /** `enabled: false`: no gRPC controller is registered; the facade still works. Default true. */
  grpc?: { enabled?: boolean };
  /** Register the module globally (its exports injectable everywhere). Default false. */
  isGlobal?: boolean;
}

/**
 * What a host app gives `ServicePlatformModule.forRoot()` / `forRootAsync()`.
 */
export interface ServicePlatformModuleOptions {
  /**
   * Maps the host's authenticated user (`request.user` over HTTP, `user` of the RPC context over
   * gRPC) to the module's actor. Throw, or return nothing, to refuse the caller (401
   * UNAUTHENTICATED). Default: the contract's claims `{ sub, tenant_id, roles }`. Whatever it
   * returns is checked: a non-empty `id`, a UUID or null `tenantId`, string `roles`.
   */
  resolveActor?: (user: unknown) => Actor | null | undefined | Promise<Actor | null | undefined>;
  database: ServicePlatformDatabaseOptions;
  /**
   * `apply-on-start`: apply the module's migrations when it starts (under an advisory lock, so
   * that instances starting together apply them once). Default `manual`: the host applies them
   * with `npx service-platform migrate`.
   */
  migrations?: 'apply-on-start' | 'manual';
  /** Redis for change events (pub/sub) and the shared read cache; unset: in-process only. */
  redis?: ServicePlatformRedisOptions;
  encryption: {
    /**
     * The key ring: `id:base64(32 bytes)` entries, comma-separated (the format of the
     * `ENCRYPTION_KEYS` env var). The first key encrypts new data; all of them decrypt.
     */
    keys: string;
  };
  /**
   * Change events (contract "Events"). Every change writes its event to the outbox in its own
   * transaction; the relay then hands it to the audit trail, to Redis (when configured) and to the
   * host app's `@EventsHandler`s. Delivery is at least once, in order per platform.
   */
  events?: {
    /** Relay tuning (defaults in `DEFAULT_OUTBOX_RELAY_SETTINGS`). */
    relay?: Partial<OutboxRelaySettings>;
  };
  /**
   * Read cache of `GetPlatform` answers (spec "Cache"): the masked view, never a secret. Each
   * instance keeps copies in memory, dropped when PostgreSQL notifies a newer version (at commit,
   * to every instance); with `redis` the instances also share a Redis tier. Writes refresh
   * the cache after they commit. Lists, credential resolution and writes always read the
   * database. On by default.
   */
  cache?: {
    /** Default true. */
    enabled?: boolean;
    /** Whether the instances share a Redis tier when `redis` is given (default true). */
    shared?: boolean;
    /** Seconds a view lives in Redis (default 3600: the spec's one hour). */
    ttlSeconds?: number;
    /** Seconds a view lives in memory (default 60). */
    localTtlSeconds?: number;
    /** Views kept in memory, least recently used dropped first (default 10000). */
    localMaxEntries?: number;
  };
  /**
   * Idempotent writes (`Idempotency-Key` header, gRPC `idempotency-key` metadata): the first
   * answer of a write is replayed to a retry with the same key and request.
   */
  idempotency?: {
    /** How long a key is remembered, in ms (default 24 h, the contract's). */
    ttlMs?: number;
    /** How long a request waits for one running with the same key before 409, in ms (default 5000). */
    waitMs?: number;
  };
  /**
   * The service catalog: services to add or override (`services`, with the built-in ones
   * replaced by name), and whether services it does not know may be registered
   * (`allowUnknownServices`, default false).
   */
  catalog?: ServiceCatalogOptions;
}
