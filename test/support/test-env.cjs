// Environment of every test file: a fixed test key ring, a fixed JWT secret, quiet logs,
// not production, a rate limit no suite reaches (hardening tests lower it per app).
'use strict';
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.ENCRYPTION_KEYS =
  'test-2:' +
  Buffer.alloc(32, 2).toString('base64') +
  ',test-1:' +
  Buffer.alloc(32, 1).toString('base64');
process.env.AUTH_JWT_SECRET = 'test-jwt-secret-0123456789abcdefghijklmnopqrstuvwxyz';
process.env.RATE_LIMIT_PER_MINUTE = '1000000';
delete process.env.CORS_ORIGINS;
