import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The CommonJS helpers shared with .ci/run and the jest global setup.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const testDatabases = require('../../scripts/lib/test-database.cjs') as {
  createTestDatabase(options: { prefix: string }): Promise<{ name: string; url: string }>;
  dropDatabase(options: { name: string }): Promise<void>;
};

const root = path.join(__dirname, '..', '..');

export interface OwnDatabase {
  readonly name: string;
  readonly url: string;
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the project's scripts (`db-migrate.cjs`, `db-drift.cjs`) as npm runs it. */
export function runScript(script: string, databaseUrl: string): ScriptRun {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', script)], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_MIGRATE_ENGINE: 'wasm' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** An empty database (no migration applied). */
export function createDatabase(prefix: string): Promise<OwnDatabase> {
  return testDatabases.createTestDatabase({ prefix });
}

/**
 * A fresh database migrated with the project's migrations, for suites whose data must not meet
 * the run's shared database (e.g. master keys other than the test ring's).
 */
export async function createMigratedDatabase(prefix: string): Promise<OwnDatabase> {
  const database = await createDatabase(prefix);
  const migrate = runScript('db-migrate.cjs', database.url);
  if (migrate.status !== 0) {
    throw new Error(`db-migrate failed on ${database.name}: ${migrate.stderr}`);
  }
  return database;
}

export function dropDatabase(database: OwnDatabase | undefined): Promise<void> {
  return database === undefined
    ? Promise.resolve()
    : testDatabases.dropDatabase({ name: database.name });
}
