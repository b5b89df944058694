// A fresh PostgreSQL database for every test run, migrated by the module's own migration runner
// into its own schema (service_platform), as `npx service-platform migrate` does.
import { Client } from 'pg';
import {
  applyMigrations,
  DEFAULT_SCHEMA,
} from '../../src/service-platform/infrastructure/persistence/migrations/migration-runner';
import { withSearchPath } from './own-database';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const testDatabases = require('../../scripts/lib/test-database.cjs') as {
  createTestDatabase(options: { prefix: string }): Promise<{ name: string; url: string }>;
};

export default async function globalSetup(): Promise<void> {
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
