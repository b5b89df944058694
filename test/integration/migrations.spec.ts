import { Client } from 'pg';
import { createDatabase, dropDatabase, runScript as runScriptOn } from '../support/own-database';

const url = process.env.DATABASE_URL as string;

/** The project's own scripts, run as `npm run db:migrate` runs them (the schema engine is ESM+wasm). */
const runScript = (script: string, databaseUrl = url) => runScriptOn(script, databaseUrl);

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
    const scratch = await createDatabase('sp_drift');
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
      await dropDatabase(scratch);
    }
  });
});
