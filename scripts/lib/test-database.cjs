// Throw-away PostgreSQL databases for tests: create one with a unique name, drop it afterwards.
'use strict';

const { randomBytes } = require('node:crypto');
const { Client } = require('pg');

const defaultAdminUrl = () =>
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;

async function withAdminClient(adminUrl, fn) {
  const client = new Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (error) {
    const { host } = new URL(adminUrl);
    throw new Error(
      `Cannot connect to the PostgreSQL admin database at ${host}: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database with a unique name (`<prefix>_<time>_<random>`, at most 63 chars).
 * @param {{ adminUrl?: string, prefix?: string }} [options]
 * @returns {Promise<{ name: string, url: string }>} url = adminUrl pointed at the new database
 */
async function createTestDatabase({ adminUrl = defaultAdminUrl(), prefix = 'test' } = {}) {
  const safePrefix = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  const name = `${safePrefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/**
 * Drops a database, terminating its open connections. No error if it does not exist.
 * @param {{ adminUrl?: string, name: string }} options
 */
async function dropDatabase({ adminUrl = defaultAdminUrl(), name }) {
  if (!name) throw new Error('dropDatabase: a database name is required');
  await withAdminClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

module.exports = { createTestDatabase, dropDatabase };
