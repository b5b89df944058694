#!/usr/bin/env node
// Applies prisma/migrations to the database at DATABASE_URL (`npm run db:migrate`).
//
// PRISMA_MIGRATE_ENGINE selects how:
//   native - `prisma migrate deploy`, for machines that have Prisma's native schema engine;
//   wasm   - the WebAssembly schema engine through scripts/lib/schema-engine.cjs (works offline);
//   auto   - (default) native when a real native schema engine is available, else wasm.
// Both record `_prisma_migrations` identically (same engine code, checksum = sha256 of the file),
// so a database can be migrated one way and later the other.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const migrationsDir = path.join(root, 'prisma', 'migrations');

/** True if `file` is an executable whose `--version` answers like Prisma's schema engine. */
function isNativeSchemaEngine(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return false;
  }
  // prisma-generate.cjs points PRISMA_SCHEMA_ENGINE_BINARY at node itself: that is not an engine.
  if (path.resolve(file) === process.execPath) return false;
  // The engine prints `schema-engine-cli <git hash>`, which is also how the Prisma CLI checks it.
  const result = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 && /^schema-engine-cli \S+/m.test(result.stdout ?? '');
}

/** Path of a usable native schema engine, or undefined. */
function findNativeSchemaEngine() {
  const fromEnv = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
  if (fromEnv && isNativeSchemaEngine(fromEnv)) return fromEnv;
  // Where the Prisma CLI downloads it: node_modules/@prisma/engines/schema-engine-<binary target>.
  const enginesDir = path.join(root, 'node_modules', '@prisma', 'engines');
  const candidates = fs.existsSync(enginesDir)
    ? fs.readdirSync(enginesDir).filter((name) => name.startsWith('schema-engine-'))
    : [];
  return candidates.map((name) => path.join(enginesDir, name)).find(isNativeSchemaEngine);
}

function migrateNative(engineBinary) {
  const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  if (engineBinary) env.PRISMA_SCHEMA_ENGINE_BINARY = engineBinary;
  const cli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
  const result = spawnSync(process.execPath, [cli, 'migrate', 'deploy'], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

async function migrateWasm(url) {
  const { applyMigrations, parseDatabaseUrl } = require('./lib/schema-engine.cjs');
  console.log(`Datasource: ${parseDatabaseUrl(url).where} (wasm schema engine)`);
  const applied = await applyMigrations({ url, migrationsDir });
  for (const name of applied) console.log(`Applied migration ${name}`);
  console.log(
    applied.length === 0
      ? 'No pending migrations to apply.'
      : `${applied.length} migration(s) applied.`,
  );
  return 0;
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/app).');
    return 1;
  }
  const mode = (process.env.PRISMA_MIGRATE_ENGINE || 'auto').toLowerCase();
  if (mode === 'native') return migrateNative(findNativeSchemaEngine());
  if (mode === 'wasm') return migrateWasm(url);
  if (mode !== 'auto') {
    console.error(`PRISMA_MIGRATE_ENGINE must be native, wasm or auto (got "${mode}").`);
    return 1;
  }
  const engineBinary = findNativeSchemaEngine();
  return engineBinary ? migrateNative(engineBinary) : migrateWasm(url);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`Migration failed: ${error.message}`);
    process.exitCode = 1;
  },
);
