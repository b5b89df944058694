import { Client } from 'pg';
import { PrismaService } from '../../src/service-platform/infrastructure/persistence/prisma.service';
import type { ServicePlatformModuleOptions } from '../../src/service-platform/service-platform.options';

/**
 * The module's own pool: an idle connection that the server terminates (a PostgreSQL restart,
 * an administrator, a failover) makes the pool emit 'error', which must never go unheard (an
 * unhandled 'error' event ends the process). The Prisma adapter listens only while the client is
 * connected: during shutdown, between `$disconnect()` and the end of the pool, nobody did (seen
 * as a crash when a test dropped its database right after closing its app).
 */
describe('PrismaService pool (real PostgreSQL)', () => {
  it('survives its idle connections being terminated by the server, and reconnects', async () => {
    const options = {
      // A name of its own: it terminates its connections, and other suites share this database.
      database: {
        url: process.env.DATABASE_URL as string,
        poolSize: 2,
        applicationName: POOL_NAME,
      },
      encryption: { keys: process.env.ENCRYPTION_KEYS as string },
    } satisfies ServicePlatformModuleOptions;
    const prisma = new PrismaService(options);
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const unhandled = jest.fn();
    process.on('uncaughtException', unhandled);
    try {
      await prisma.$queryRaw`SELECT 1`;
      expect(prisma.poolStats.total).toBeGreaterThanOrEqual(1);
      expect((await backends(admin)).length).toBeGreaterThanOrEqual(1);
      // While connected, and once the Prisma client has let go of the pool (shutdown).
      for (const disconnected of [false, true]) {
        if (disconnected) await prisma.$disconnect();
        for (const { pid } of await backends(admin)) {
          await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(unhandled).not.toHaveBeenCalled();
        await expect(prisma.$queryRaw`SELECT 1 AS ok`).resolves.toEqual([{ ok: 1 }]);
      }
    } finally {
      process.off('uncaughtException', unhandled);
      await admin.end();
      await prisma.onApplicationShutdown();
    }
  });
});

/** The module's connections (its pool names them `service-platform`). */
/** Only this suite's connections are terminated: other suites run on the same database. */
const POOL_NAME = 'service-platform-pool-test';

async function backends(admin: Client): Promise<{ pid: number }[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND application_name = $1`,
    [POOL_NAME],
  );
  return rows;
}
