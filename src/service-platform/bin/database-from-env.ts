import { parseArgs } from 'node:util';
import { splitSchema } from '../infrastructure/persistence/database-url';
import { DEFAULT_SCHEMA } from '../infrastructure/persistence/migrations/migration-runner';

/** The database a command works on: `DATABASE_URL`, and the module's schema. */
export interface CommandDatabase {
  /** The connection string, without Prisma's `?schema=`. */
  readonly url: string;
  readonly schema: string;
}

/**
 * `DATABASE_URL` and the schema of the module's tables: `--schema`, else `DATABASE_SCHEMA`, else
 * the URL's `?schema=`, else `service_platform`. Throws a message naming what is missing.
 */
export function databaseFromEnv(
  env: Record<string, string | undefined>,
  schemaFlag?: string,
): CommandDatabase {
  const url = env.DATABASE_URL?.trim() ?? '';
  if (url === '') {
    throw new Error('DATABASE_URL is required (postgresql://user:password@host:5432/database)');
  }
  const split = splitSchema(url);
  const schema =
    schemaFlag?.trim() || env.DATABASE_SCHEMA?.trim() || split.schema || DEFAULT_SCHEMA;
  return { url: split.connectionString, schema };
}

/**
 * The options of the commands that need only the database: `--schema NAME` and `-h`/`--help`.
 * Unknown options throw (the bin prints the message and the usage).
 */
export function parseDatabaseCommandArgs(argv: readonly string[]): {
  schema?: string;
  help: boolean;
} {
  const { values } = parseArgs({
    args: [...argv],
    options: { schema: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  return {
    ...(values.schema !== undefined && { schema: values.schema }),
    help: values.help === true,
  };
}
