// A fresh PostgreSQL database for every test run, migrated with the project's own migrations.
'use strict';
const path = require('node:path');
const { createTestDatabase } = require('../../scripts/lib/test-database.cjs');
const { applyMigrations } = require('../../scripts/lib/schema-engine.cjs');

module.exports = async function globalSetup() {
  const root = path.join(__dirname, '..', '..');
  const { name, url } = await createTestDatabase({ prefix: 'sp_test' });
  await applyMigrations({ url, migrationsDir: path.join(root, 'prisma', 'migrations') });
  // Workers are started after this and inherit these variables.
  process.env.TEST_DATABASE_NAME = name;
  process.env.DATABASE_URL = url;
};
