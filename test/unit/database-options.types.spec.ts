import { Pool } from 'pg';
import type { ServicePlatformDatabaseOptions } from '../../src/service-platform';

/**
 * Found in review: `poolSize` and the timeouts were accepted beside a host's `pool` and silently
 * ignored (the pool's own settings apply). They are now type errors there; `npm run typecheck`
 * fails if the `@ts-expect-error` below has nothing to expect.
 */
describe('database options (types)', () => {
  it('takes size and timeouts with a url, and refuses them with a host pool', async () => {
    const pool = new Pool();
    const own: ServicePlatformDatabaseOptions = {
      url: 'postgresql://localhost/app',
      poolSize: 5,
      connectionTimeoutMs: 1_000,
      queryTimeoutMs: 2_000,
    };
    // @ts-expect-error poolSize beside a host pool: the pool's own `max` applies
    const host: ServicePlatformDatabaseOptions = { pool, poolSize: 5 };
    // @ts-expect-error a timeout beside a host pool: its own `connectionTimeoutMillis` applies
    const hostTimeout: ServicePlatformDatabaseOptions = { pool, connectionTimeoutMs: 1_000 };
    expect([own, host, hostTimeout].map((options) => 'pool' in options)).toEqual([
      false,
      true,
      true,
    ]);
    await pool.end();
  });
});
