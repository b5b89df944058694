import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';

const root = path.join(__dirname, '..', '..');
const url = process.env.DATABASE_URL as string;

/** The project's own scripts, run as `npm run db:migrate` runs them (the schema engine is ESM+wasm). */
function runScript(
  script: string,
  databaseUrl = url,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', script)], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_MIGRATE_ENGINE: 'wasm' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const testDatabases = require('../../scripts/lib/test-database.cjs') as {
  createTestDatabase(options: { prefix: string }): Promise<{ name: string; url: string }>;
  dropDatabase(options: { name: string }): Promise<void>;
};

describe('migrations (real PostgreSQL)', () => {
  it('leave the database exactly as schema.prisma describes it (no drift)', () => {
    const drift = runScript('db-drift.cjs');
    expect(drift.stdout.trim()).toBe('');
    expect(drift.status).toBe(0);
  });

  it('are recorded in _prisma_migrations and re-applying them does nothing', async () => {
    const migrate = runScript('db-migrate.cjs');
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).not.toContain('Applied migration');
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query(
        'SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(rows.map((r: { migration_name: string }) => r.migration_name)).toContain(
        '20261126000000_init',
      );
      expect(rows.every((r: { finished_at: Date | null }) => r.finished_at !== null)).toBe(true);
    } finally {
      await db.end();
    }
  });

  it('hold the unique (tenant_id, service_name) index of the spec', async () => {
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_service_platform_tenant_service'`,
      );
      expect(rows[0]?.indexdef).toMatch(/UNIQUE INDEX .* \(tenant_id, service_name\)/);
    } finally {
      await db.end();
    }
  });

  it('apply to an empty database, and the drift check notices a hand-made change', async () => {
    const scratch = await testDatabases.createTestDatabase({ prefix: 'sp_drift' });
    try {
      expect(runScript('db-migrate.cjs', scratch.url).stdout).toContain(
        'Applied migration 20261126000000_init',
      );
      expect(runScript('db-drift.cjs', scratch.url).status).toBe(0);
      const db = new Client({ connectionString: scratch.url });
      await db.connect();
      await db.query('ALTER TABLE service_platforms ALTER COLUMN service_name TYPE varchar(128)');
      await db.end();
      const drift = runScript('db-drift.cjs', scratch.url);
      expect(drift.status).toBe(1);
      expect(drift.stdout).toMatch(/service_name/);
    } finally {
      await testDatabases.dropDatabase({ name: scratch.name });
    }
  });
});
