// Small wrapper around the *internal* API of @prisma/schema-engine-wasm (the Prisma schema engine
// compiled to WebAssembly, talking to PostgreSQL through the @prisma/adapter-pg driver adapter).
// It lets this project apply `prisma/migrations` and diff schemas on machines where the Prisma CLI
// cannot download its native schema engine. The API is not public: package.json pins the exact
// version (7.10.0-7.561d7b42...); re-check everything here when bumping it.
'use strict';

const fs = require('node:fs/promises');
const path = require('node:path');
const { PrismaPg } = require('@prisma/adapter-pg');
const {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
} = require('@prisma/driver-adapter-utils');

const PRISMA_DIR = path.join(__dirname, '..', '..', 'prisma');
const DEFAULT_SCHEMA = path.join(PRISMA_DIR, 'schema.prisma');
const DEFAULT_MIGRATIONS = path.join(PRISMA_DIR, 'migrations');
const WASM_GLUE = '@prisma/schema-engine-wasm/schema_engine_bg';
// No `tables.external` / `enums.external` in prisma.config.ts.
const NO_FILTERS = { externalTables: [], externalEnums: [] };
const PG_OID_CHAR = 18; // the internal one-byte "char" type (pg_class.relkind, pg_constraint.contype…)
const PG_OID_TEXT = 25;

let engineClassPromise;

// The engine arms JS timers for its own timeouts (e.g. 10 s to take the migrations advisory lock)
// and never clears them (the glue imports setTimeout but no clearTimeout), which keeps node alive
// ~10 s after the work is done. Its setTimeout import is routed through this registry, which
// withEngine() empties once no engine is running.
const engineTimers = new Set();
let runningEngines = 0;
function engineSetTimeout(callback, ms) {
  const timer = setTimeout(() => {
    engineTimers.delete(timer);
    callback();
  }, ms >>> 0);
  engineTimers.add(timer);
  return timer;
}

// The package entry point does `import * as wasm from './schema_engine_bg.wasm'`, which Node 20
// rejects (ERR_UNKNOWN_FILE_EXTENSION without --experimental-wasm-modules). So import the
// wasm-bindgen JS glue (exported as `./schema_engine_bg`) and do the entry point's three steps by
// hand: instantiate the .wasm with the glue as its import module, hand the exports to the glue,
// run the start function. Done once per process.
function loadSchemaEngineClass() {
  engineClassPromise ??= (async () => {
    const glue = await import(WASM_GLUE);
    const wasmPath = path.join(path.dirname(require.resolve(WASM_GLUE)), 'schema_engine_bg.wasm');
    const imports = { ...glue };
    for (const name of Object.keys(imports)) {
      if (name.startsWith('__wbg_setTimeout_')) imports[name] = engineSetTimeout;
    }
    const { instance } = await WebAssembly.instantiate(await fs.readFile(wasmPath), {
      './schema_engine_bg.js': imports,
    });
    glue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return glue.SchemaEngine;
  })();
  return engineClassPromise;
}

/** Splits a Prisma-style URL into a pg connection string and the schema (`?schema=`, default public). */
function parseDatabaseUrl(url) {
  if (!url) throw new Error('No database URL given (expected postgresql://user@host:port/db)');
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('Invalid database URL (expected postgresql://user@host:port/db)');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new Error(`Unsupported database URL protocol "${parsed.protocol}" (PostgreSQL only)`);
  }
  const schema = parsed.searchParams.get('schema') || 'public';
  // Like the native engine (it runs `SET search_path = "<schema>"` on connect), make the schema the
  // search_path, so the unqualified names of migration scripts land in it. Passed as a startup
  // option; an `options` parameter of the URL would override ours, so merge it in.
  const searchPath = `"${schema.replace(/"/g, '""')}"`.replace(/[\\ ]/g, '\\$&');
  const options = [parsed.searchParams.get('options'), `-c search_path=${searchPath}`]
    .filter(Boolean)
    .join(' ');
  parsed.searchParams.delete('schema'); // Prisma-only parameter, unknown to pg
  parsed.searchParams.delete('options');
  const database = decodeURIComponent(parsed.pathname.slice(1)) || '(default)';
  const where = `database "${database}", schema "${schema}" at ${parsed.hostname}:${parsed.port || 5432}`;
  return { connectionString: parsed.toString(), options, schema, where };
}

// adapter-pg 7.10 fixes that the engine needs and the adapter lacks; applied to every connection
// (and transaction) the engine opens:
// - queryRaw throws "Unsupported column type char" on the catalog columns of type "char" that the
//   engine's schema describer selects (so any diff against a live database would fail). pg already
//   returns those values as strings: report them as text.
// - executeScript splits the script on every ";" (breaking `$$ … ; … $$` bodies and `;` in
//   comments) and runs the pieces one by one. The native engine sends a migration as one
//   simple-protocol query (one implicit transaction); do the same.
function patchQueryable(queryable) {
  const performIO = queryable.performIO.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) {
      if (field.dataTypeID === PG_OID_CHAR) field.dataTypeID = PG_OID_TEXT;
    }
    return result;
  };
  if (typeof queryable.startTransaction === 'function') {
    const startTransaction = queryable.startTransaction.bind(queryable);
    queryable.startTransaction = async (...args) => patchQueryable(await startTransaction(...args));
  }
  if (typeof queryable.executeScript === 'function') {
    queryable.executeScript = async (script) => {
      try {
        await queryable.client.query(script);
      } catch (error) {
        queryable.onError(error); // rethrows as a DriverAdapterError the engine understands
      }
    };
  }
  return queryable;
}

/**
 * A PrismaPg factory whose connections are patched and tracked, so that closeAll() can end every
 * pool: the engine never disposes its main connection (free() does not), only shadow databases.
 */
function createPgFactory({ connectionString, options, schema }) {
  const factory = new PrismaPg({ connectionString, options }, { schema });
  const open = [];
  const connect = factory.connect.bind(factory);
  // Own property, so connectToShadowDb()'s internal `this.connect()` is tracked too.
  factory.connect = async () => {
    const adapter = patchQueryable(await connect());
    const dispose = adapter.dispose.bind(adapter);
    let disposed;
    adapter.dispose = () => (disposed ??= dispose()); // pg's pool.end() throws when called twice
    open.push(adapter);
    return adapter;
  };
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => patchQueryable(await connectToShadowDb());
  const closeAll = () => Promise.allSettled(open.map((adapter) => adapter.dispose()));
  return { factory, closeAll };
}

/**
 * A factory that needs no database, for diffs that never read one (from `empty` to a datamodel).
 * SchemaEngine.new() still runs one probe query on connect; answer it as a PostgreSQL 15 server
 * that has the schema, and refuse anything else.
 */
function createOfflineFactory() {
  const refuse = () => Promise.reject(new Error('offline schema engine: no database available'));
  const adapter = {
    provider: 'postgres',
    adapterName: 'offline',
    async queryRaw({ sql }) {
      if (
        !/^SELECT EXISTS\(SELECT 1 FROM pg_namespace WHERE nspname = \$1\), version\(\)/.test(sql)
      ) {
        return refuse();
      }
      return {
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        rows: [[true, 'PostgreSQL 15.0 (offline)', 150000]],
      };
    },
    executeRaw: refuse,
    executeScript: refuse,
    startTransaction: refuse,
    getConnectionInfo: () => ({ schemaName: 'public', supportsRelationJoins: true }),
    dispose: async () => {},
  };
  const factory = {
    provider: 'postgres',
    adapterName: 'offline',
    connect: async () => adapter,
    connectToShadowDb: async () => adapter,
  };
  return { factory, closeAll: async () => {} };
}

// Engine errors are Errors whose message ends with a Rust span trace ("\n   0: …"); drop it.
function engineError(action, error) {
  const message = String(error?.message ?? error)
    .split(/\n\s+0: /)[0]
    .trim();
  return new Error(`${action} failed: ${message}`, { cause: error });
}

/** Runs fn(engine) with a fresh engine, then frees it and closes every pool it opened. */
async function withEngine({ adapter, action, log }, fn) {
  const SchemaEngine = await loadSchemaEngineClass();
  // The callback receives the engine's tracing output, one JSON object per line
  // ({"level":"INFO","fields":{"message":…},"target":…}).
  const onLog = (line) => {
    if (!log) return;
    for (const text of String(line).split('\n').filter(Boolean)) {
      try {
        const { level, fields } = JSON.parse(text);
        log(`[schema-engine ${level}] ${fields?.message ?? text}`);
      } catch {
        log(`[schema-engine] ${text}`);
      }
    }
  };
  let engine;
  runningEngines += 1;
  try {
    // ConstructorOptions.datamodels is only a default for commands that take no schema.
    engine = await SchemaEngine.new(
      { datamodels: undefined },
      onLog,
      bindMigrationAwareSqlAdapterFactory(adapter.factory),
    );
    return await fn(engine);
  } catch (error) {
    throw engineError(action, error);
  } finally {
    engine?.free();
    await adapter.closeAll();
    if (--runningEngines === 0) {
      for (const timer of engineTimers) clearTimeout(timer);
      engineTimers.clear();
    }
  }
}

/** The engine's MigrationList, read the way the Prisma CLI reads it (`prisma migrate deploy`). */
async function readMigrationsList(migrationsDir) {
  const baseDir = path.resolve(migrationsDir);
  const lockfile = {
    path: 'migration_lock.toml',
    content: await fs.readFile(path.join(baseDir, 'migration_lock.toml'), 'utf8').catch(() => null),
  };
  const entries = await fs.readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
  const migrationDirectories = [];
  for (const name of names) {
    // The exact file text: the engine stores sha256(text) as the checksum, like the native one.
    const content = await fs
      .readFile(path.join(baseDir, name, 'migration.sql'), 'utf8')
      .then((value) => ({ tag: 'ok', value }))
      .catch((error) => ({ tag: 'error', value: error.message }));
    migrationDirectories.push({ path: name, migrationFile: { path: 'migration.sql', content } });
  }
  return { baseDir, lockfile, shadowDbInitScript: '', migrationDirectories };
}

async function readSchemaFiles(schemaPath) {
  const file = path.resolve(schemaPath);
  return [{ path: file, content: await fs.readFile(file, 'utf8') }];
}

// A script with nothing but comments/blank lines ("-- This is an empty migration.") means no diff.
function normaliseScript(script) {
  const text = script ?? '';
  const hasStatements = text
    .split('\n')
    .some((line) => line.trim() && !line.trim().startsWith('--'));
  return hasStatements ? text : '';
}

/**
 * Applies the pending migrations of `migrationsDir` (default: the project's prisma/migrations) to
 * `url`, recording them in `_prisma_migrations` as `prisma migrate deploy` does. Idempotent.
 * `log` (optional) receives progress lines and the engine's own log messages.
 * @param {{ url: string, migrationsDir?: string, log?: (message: string) => void }} options
 * @returns {Promise<string[]>} names of the migrations applied by this call ([] if up to date)
 */
async function applyMigrations({ url, migrationsDir = DEFAULT_MIGRATIONS, log }) {
  const target = parseDatabaseUrl(url);
  const migrationsList = await readMigrationsList(migrationsDir);
  log?.(
    `${migrationsList.migrationDirectories.length} migration(s) in ${migrationsList.baseDir}; target ${target.where}`,
  );
  const adapter = createPgFactory(target);
  const action = `Applying migrations to ${target.where}`;
  const { appliedMigrationNames } = await withEngine({ adapter, action, log }, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
  );
  return appliedMigrationNames;
}

/**
 * The SQL that would bring the live database at `url` to the datamodel of `schemaPath`.
 * @param {{ url: string, schemaPath?: string }} options
 * @returns {Promise<string>} '' when there is no drift
 */
async function diffSchemaAgainstDatabase({ url, schemaPath = DEFAULT_SCHEMA }) {
  const target = parseDatabaseUrl(url);
  const files = await readSchemaFiles(schemaPath);
  const adapter = createPgFactory(target);
  const action = `Diffing ${target.where} against ${schemaPath}`;
  const { stdout } = await withEngine({ adapter, action }, (engine) =>
    engine.diff({
      // `url` sources are rejected by this engine ("--from-url … no longer supported");
      // `schemaDatasource` reads the live database through the adapter.
      from: { tag: 'schemaDatasource', files, configDir: path.dirname(files[0].path) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    }),
  );
  return normaliseScript(stdout);
}

/**
 * The SQL of a from-scratch migration of `schemaPath`, as `prisma migrate dev` writes it for a
 * first migration. Needs no database.
 * @param {{ schemaPath?: string }} options
 * @returns {Promise<string>}
 */
async function diffEmptyToSchema({ schemaPath = DEFAULT_SCHEMA } = {}) {
  const files = await readSchemaFiles(schemaPath);
  const action = `Diffing an empty database against ${schemaPath}`;
  const { stdout } = await withEngine({ adapter: createOfflineFactory(), action }, (engine) =>
    engine.diff({
      from: { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    }),
  );
  // From `empty` (no schema at all) the engine also emits `CREATE SCHEMA IF NOT EXISTS "public"`.
  // `migrate dev` diffs from its shadow database, where the default schema exists, so its
  // migration.sql never has that step: drop it to write the same file.
  return stdout.replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
}

module.exports = {
  applyMigrations,
  diffSchemaAgainstDatabase,
  diffEmptyToSchema,
  parseDatabaseUrl,
};
