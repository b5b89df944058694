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
}
