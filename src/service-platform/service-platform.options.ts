import type { ServiceCatalogOptions } from './application/catalog/service-catalog';
import type { OutboxRelaySettings } from './application/events/outbox-relay.settings';

/**
 * What a host app gives `ServicePlatformModule.forRoot()` / `forRootAsync()`. The module owns its
 * Prisma client, built from these connection options.
 */
export interface ServicePlatformModuleOptions {
  database: {
    /** PostgreSQL connection string, e.g. `postgresql://user:pass@host:5432/db?schema=public`. */
    url: string;
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
  };
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
    /**
     * Redis to publish events on (`redis://[:password@]host:6379[/db]`, `rediss://` for TLS),
     * channel = event type, through Nest's Redis transport. Unset: events stay in-process.
     */
    redisUrl?: string;
    /** Relay tuning (defaults in `DEFAULT_OUTBOX_RELAY_SETTINGS`). */
    relay?: Partial<OutboxRelaySettings>;
  };
  /**
   * Read cache of `GetPlatform` answers (spec "Cache"): the masked view, never a secret. Each
   * instance keeps copies in memory, dropped when PostgreSQL notifies a newer version (at commit,
   * to every instance); with `redisUrl` the instances also share a Redis tier. Writes refresh
   * the cache after they commit. Lists, credential resolution and writes always read the
   * database. On by default.
   */
  cache?: {
    /** Default true. */
    enabled?: boolean;
    /** Redis for the shared tier (`redis://…`, `rediss://` for TLS). Unset: in memory only. */
    redisUrl?: string;
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
