import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** What the runner needs of a PostgreSQL connection (a `pg.Client`, or a pool's client). */
export interface SqlConnection {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** The module's migrations, shipped with it (`prisma/migrations` of the package). */
export const SERVICE_PLATFORM_MIGRATIONS_DIR = join(
  __dirname,
  ...Array<string>(5).fill('..'),
  'prisma',
  'migrations',
);

/** The PostgreSQL schema the module's tables live in, unless a host chooses another. */
export const DEFAULT_SCHEMA = 'service_platform';

export interface MigrationOptions {
  /** The schema the tables go in (created if missing). */
  schema: string;
  /** Default: the migrations shipped with the module. */
  migrationsDir?: string;
  /** One line per migration applied. */
  log?: (line: string) => void;
}

/** A migration that was applied, then changed on disk: never re-applied silently. */
export class MigrationChecksumError extends Error {
  constructor(readonly migration: string) {
    super(
      `Migration ${migration} was changed after it was applied (its checksum differs from the one ` +
        'recorded in _prisma_migrations): restore the original file',
    );
    this.name = 'MigrationChecksumError';
  }
}

/**
 * Applies the module's migrations (`<dir>/<name>/migration.sql`, in name order) to `schema`,
 * each in a transaction with `search_path` set to it, and records them in that schema's
 * `_prisma_migrations` as `prisma migrate deploy` would (same table, checksum = SHA-256 of the
 * file), so either may be used later. A session advisory lock per schema makes instances that
 * start together apply them once: the others wait, then find nothing left to do. Returns the
 * names of the migrations it applied.
 */
export async function applyMigrations(
  connection: SqlConnection,
  options: MigrationOptions,
): Promise<string[]> {
  const schema = quoteIdentifier(options.schema);
  const directory = options.migrationsDir ?? SERVICE_PLATFORM_MIGRATIONS_DIR;
  const migrations = listMigrations(directory);
  const lock = `service-platform:migrations:${options.schema}`;
  await connection.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lock]);
  try {
    await connection.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await connection.query(`CREATE TABLE IF NOT EXISTS ${schema}."_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await connection.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM ${schema}."_prisma_migrations"
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    const done: string[] = [];
    for (const migration of migrations) {
      const recorded = applied.get(migration.name);
      if (recorded !== undefined) {
        if (recorded !== migration.checksum) throw new MigrationChecksumError(migration.name);
        continue;
      }
      await connection.query('BEGIN');
      try {
        await connection.query(`SET LOCAL search_path TO ${schema}`);
        await connection.query(migration.sql);
        await connection.query(
          `INSERT INTO ${schema}."_prisma_migrations"
             (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await connection.query('COMMIT');
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      options.log?.(`Applied migration ${migration.name}`);
      done.push(migration.name);
    }
    return done;
  } finally {
    await connection
      .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lock])
      .catch(() => undefined);
  }
}

interface Migration {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

function listMigrations(directory: string): Migration[] {
  if (!existsSync(directory)) throw new Error(`No migrations at ${directory}`);
  return readdirSync(directory, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(directory, entry.name, 'migration.sql')),
    )
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(directory, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** `"name"` for SQL, quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
