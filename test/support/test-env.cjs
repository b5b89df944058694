// Environment of every test file: a fixed test key ring, quiet logs, not production.
'use strict';
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.ENCRYPTION_KEYS =
  'test-2:' +
  Buffer.alloc(32, 2).toString('base64') +
  ',test-1:' +
  Buffer.alloc(32, 1).toString('base64');
