// A fresh PostgreSQL database for every test run, migrated by the module's own migration runner
// into its own schema (service_platform), as `npx service-platform migrate` does. With no
// PostgreSQL answering at TEST_DATABASE_ADMIN_URL (a fresh machine), an embedded one from npm is
// started for the run and stopped afterwards.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import {
  applyMigrations,
  DEFAULT_SCHEMA,
} from '../../src/service-platform/infrastructure/persistence/migrations/migration-runner';
import { freePort } from './grpc-client';
import { withSearchPath } from './own-database';
import { setTestRun, type TestRun } from './test-run';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const testDatabases = require('../../scripts/lib/test-database.cjs') as {
  createTestDatabase(options: { prefix: string }): Promise<{ name: string; url: string }>;
};

const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function globalSetup(): Promise<void> {
  const runDirectory = mkdtempSync(path.join(tmpdir(), 'sp-test-run-'));
  chmodSync(runDirectory, 0o755);
  process.env.TEST_RUN_DIR = runDirectory;
  const run: TestRun = {};
  setTestRun(run);

  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  if (!(await answers(adminUrl))) {
    const where = new URL(adminUrl);
    process.stderr.write(
      `\nNo PostgreSQL answers at ${where.hostname}:${where.port || 5432}: starting an embedded ` +
        'PostgreSQL (embedded-postgres) for this run.\n',
    );
    run.embedded = await startEmbeddedPostgres({
      dataDir: path.join(runDirectory, 'postgres'),
      port: await freePort(),
      database: 'postgres',
    });
    process.env.TEST_DATABASE_ADMIN_URL = run.embedded.url;
  }

  const { name, url } = await testDatabases.createTestDatabase({ prefix: 'sp_test' });
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await applyMigrations(client, { schema: DEFAULT_SCHEMA });
  } finally {
    await client.end();
  }
  // Workers are started after this and inherit these variables. Tests' own SQL names the
  // module's tables unqualified: their connections get the module's schema as search_path.
  process.env.TEST_DATABASE_NAME = name;
  process.env.DATABASE_URL = withSearchPath(url);
}
