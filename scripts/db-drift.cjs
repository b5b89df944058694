#!/usr/bin/env node
// Compares the module's schema in the database at DATABASE_URL (DATABASE_SCHEMA, else the URL's
// ?schema=, else service_platform) with prisma/schema.prisma (wasm schema engine).
// Exit 0: no drift. Exit 1: drift; the SQL that would bring the database to the schema is printed
// on stdout (messages go to stderr). Exit 2: could not check (no DATABASE_URL, unreachable, …).
'use strict';

const path = require('node:path');
const { diffSchemaAgainstDatabase, parseDatabaseUrl } = require('./lib/schema-engine.cjs');

const schemaPath = path.join(__dirname, '..', 'prisma', 'schema.prisma');

async function main() {
  if (!process.env.DATABASE_URL) {
    console.error('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/app).');
    return 2;
  }
  const parsed = new URL(process.env.DATABASE_URL);
  const schema =
    process.env.DATABASE_SCHEMA || parsed.searchParams.get('schema') || 'service_platform';
  parsed.searchParams.set('schema', schema);
  const url = parsed.toString();
  const { where } = parseDatabaseUrl(url);
  const sql = await diffSchemaAgainstDatabase({ url, schemaPath });
  if (sql === '') {
    console.error(`No drift: ${where} matches prisma/schema.prisma.`);
    return 0;
  }
  console.error(`Drift: ${where} differs from prisma/schema.prisma. SQL to reconcile it:`);
  process.stdout.write(sql.endsWith('\n') ? sql : `${sql}\n`);
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`Drift check failed: ${error.message}`);
    process.exitCode = 2;
  },
);
