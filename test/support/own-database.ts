import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import {
  applyMigrations,
  DEFAULT_SCHEMA,
} from '../../src/service-platform/infrastructure/persistence/migrations/migration-runner';

// The CommonJS helpers shared with .ci/run and the jest global setup.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const testDatabases = require('../../scripts/lib/test-database.cjs') as {
  createTestDatabase(options: { prefix: string }): Promise<{ name: string; url: string }>;
  dropDatabase(options: { name: string }): Promise<void>;
};

const root = path.join(__dirname, '..', '..');

export interface OwnDatabase {
  readonly name: string;
  /** With the module's schema as search_path, so that tests' SQL may name its tables unqualified. */
  readonly url: string;
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `url` whose connections have `schema` as search_path. */
export function withSearchPath(url: string, schema = DEFAULT_SCHEMA): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** Runs one of the project's scripts (`db-drift.cjs`) as npm runs it. */
export function runScript(script: string, databaseUrl: string): ScriptRun {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', script)], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the package's bin (`service-platform <args>`) from the sources, as npx runs it. */
export function runBin(
  args: readonly string[],
  env: Record<string, string | undefined>,
): ScriptRun {
  const result = spawnSync(
    process.execPath,
    [
      path.join(root, 'scripts', 'run-ts.cjs'),
      path.join(root, 'src', 'service-platform', 'bin', 'service-platform.ts'),
      ...args,
    ],
    { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** An empty database (no migration applied). */
export async function createDatabase(prefix: string): Promise<OwnDatabase> {
  const database = await testDatabases.createTestDatabase({ prefix });
  return { name: database.name, url: withSearchPath(database.url) };
}

/**
 * A fresh database migrated with the module's migrations, for suites whose data must not meet
 * the run's shared database (e.g. master keys other than the test ring's).
 */
export async function createMigratedDatabase(prefix: string): Promise<OwnDatabase> {
  const database = await createDatabase(prefix);
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    await applyMigrations(client, { schema: DEFAULT_SCHEMA });
  } finally {
    await client.end();
  }
  return database;
}

export function dropDatabase(database: OwnDatabase | undefined): Promise<void> {
  return database === undefined
    ? Promise.resolve()
    : testDatabases.dropDatabase({ name: database.name });
}
