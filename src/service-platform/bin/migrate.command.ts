import { Client } from 'pg';
import { applyMigrations } from '../infrastructure/persistence/migrations/migration-runner';
import { databaseFromEnv, parseDatabaseCommandArgs } from './database-from-env';

export const MIGRATE_USAGE = `Usage: service-platform migrate [--schema NAME]

Applies the module's migrations (shipped in the package) to the database at DATABASE_URL, in
the PostgreSQL schema of its tables, and records them in that schema's _prisma_migrations.
Migrations already applied are skipped; instances running it at once apply each one once
(advisory lock).

Options:
  --schema NAME   schema of the module's tables (default: DATABASE_SCHEMA, else the URL's
                  ?schema=, else service_platform)
  -h, --help      show this help

Environment:
  DATABASE_URL    postgresql://user:password@host:5432/database`;

/** `service-platform migrate`: exit status 0 applied (or nothing to do), 1 failed. */
export async function migrateCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: { log(line: string): void; error(line: string): void },
): Promise<number> {
  const args = parseDatabaseCommandArgs(argv);
  if (args.help) {
    out.log(MIGRATE_USAGE);
    return 0;
  }
  const database = databaseFromEnv(env, args.schema);
  const client = new Client({
    connectionString: database.url,
    application_name: 'service-platform-migrate',
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const applied = await applyMigrations(client, {
      schema: database.schema,
      log: (line) => out.log(line),
    });
    out.log(
      applied.length === 0
        ? `No pending migrations (schema ${database.schema}).`
        : `${applied.length} migration(s) applied (schema ${database.schema}).`,
    );
    return 0;
  } finally {
    await client.end();
  }
}
