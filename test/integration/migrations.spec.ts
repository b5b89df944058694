import { Client } from 'pg';
import {
  applyMigrations,
  MigrationChecksumError,
} from '../../src/service-platform/infrastructure/persistence/migrations/migration-runner';
import { createDatabase, dropDatabase, runBin, runScript } from '../support/own-database';

const url = process.env.DATABASE_URL as string;

/** The drift check compares the module's schema with prisma/schema.prisma. */
const drift = (databaseUrl: string, schema = 'service_platform') => {
  const parsed = new URL(databaseUrl);
  parsed.searchParams.set('schema', schema);
  parsed.searchParams.delete('options');
  return runScript('db-drift.cjs', parsed.toString());
};

async function query<R>(databaseUrl: string, sql: string): Promise<R[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return (await db.query(sql)).rows as R[];
  } finally {
    await db.end();
  }
}

describe('migrations (real PostgreSQL)', () => {
  it('leave the module schema exactly as schema.prisma describes it (no drift)', () => {
    const check = drift(url);
    expect(check.stdout.trim()).toBe('');
    expect({ status: check.status, stderr: check.stderr }).toEqual({
      status: 0,
      stderr: expect.stringContaining('No drift') as string,
    });
  });

  it('put every table of the module in its own schema and none in public', async () => {
    const tables = await query<{ table_schema: string; table_name: string }>(
      url,
      `SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_schema IN ('public', 'service_platform') ORDER BY table_name`,
    );
    expect(tables.filter((t) => t.table_schema === 'public')).toEqual([]);
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        '_prisma_migrations',
        'service_platforms',
        'audit_log',
        'outbox_events',
      ]),
    );
  });

  it('are recorded in _prisma_migrations, and `service-platform migrate` then has nothing to do', async () => {
    const migrate = runBin(['migrate'], { DATABASE_URL: url });
    expect(migrate.stderr).toBe('');
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toBe('No pending migrations (schema service_platform).\n');
    const rows = await query<{ migration_name: string; finished_at: Date | null }>(
      url,
      'SELECT migration_name, finished_at FROM service_platform._prisma_migrations ORDER BY 1',
    );
    expect(rows.map((r) => r.migration_name)).toContain('20261126000000_init');
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('hold the unique (tenant_id, service_name) index of the spec', async () => {
    const rows = await query<{ indexdef: string }>(
      url,
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_service_platform_tenant_service'`,
    );
    expect(rows[0]?.indexdef).toMatch(/UNIQUE INDEX .* \(tenant_id, service_name\)/);
  });

  it('`service-platform migrate` applies them to an empty database, in the schema asked for', async () => {
    const scratch = await createDatabase('sp_migrate');
    try {
      const plain = new URL(scratch.url);
      plain.searchParams.delete('options');
      const migrate = runBin(['migrate', '--schema', 'platforms'], {
        DATABASE_URL: plain.toString(),
      });
      expect(migrate.status).toBe(0);
      expect(migrate.stdout).toContain('Applied migration 20261126000000_init');
      expect(migrate.stdout).toMatch(/\d+ migration\(s\) applied \(schema platforms\)/);
      expect(drift(scratch.url, 'platforms').status).toBe(0);
      const tables = await query<{ table_schema: string }>(
        scratch.url,
        `SELECT DISTINCT table_schema FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      expect(tables).toEqual([{ table_schema: 'platforms' }]);
    } finally {
      await dropDatabase(scratch);
    }
  });

  it('instances migrating at once apply each migration once (advisory lock)', async () => {
    const scratch = await createDatabase('sp_migrate_race');
    const clients = [0, 1, 2].map(() => new Client({ connectionString: scratch.url }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const applied = await Promise.all(
        clients.map((c) => applyMigrations(c, { schema: 'service_platform' })),
      );
      const total = applied.flat();
      expect(new Set(total).size).toBe(total.length);
      expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await dropDatabase(scratch);
    }
  });

  it('refuse to go on when an applied migration was changed on disk', async () => {
    const scratch = await createDatabase('sp_migrate_checksum');
    const db = new Client({ connectionString: scratch.url });
    await db.connect();
    try {
      await applyMigrations(db, { schema: 'service_platform' });
      await db.query(
        `UPDATE service_platform._prisma_migrations SET checksum = 'x' WHERE migration_name = '20261126000000_init'`,
      );
      await expect(applyMigrations(db, { schema: 'service_platform' })).rejects.toThrow(
        MigrationChecksumError,
      );
    } finally {
      await db.end();
      await dropDatabase(scratch);
    }
  });

  it('the drift check notices a hand-made change', async () => {
    const scratch = await createDatabase('sp_drift');
    const db = new Client({ connectionString: scratch.url });
    await db.connect();
    try {
      await applyMigrations(db, { schema: 'service_platform' });
      expect(drift(scratch.url).status).toBe(0);
      await db.query('ALTER TABLE service_platforms ALTER COLUMN service_name TYPE varchar(128)');
      const check = drift(scratch.url);
      expect(check.status).toBe(1);
      expect(check.stdout).toMatch(/service_name/);
    } finally {
      await db.end();
      await dropDatabase(scratch);
    }
  });

  it('`service-platform migrate` without DATABASE_URL says what is missing', () => {
    const migrate = runBin(['migrate'], { DATABASE_URL: '' });
    expect(migrate.status).toBe(1);
    expect(migrate.stderr).toContain('DATABASE_URL is required');
  });
});
