'use strict';
const { dropDatabase } = require('../../scripts/lib/test-database.cjs');

module.exports = async function globalTeardown() {
  const name = process.env.TEST_DATABASE_NAME;
  if (name && process.env.KEEP_TEST_DATABASE !== '1') await dropDatabase({ name });
};
