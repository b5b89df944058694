// One Jest run for unit, integration and end-to-end tests (`npm test`).
// Nest 12 ships ES modules only: swc transforms them (and our TypeScript) to CommonJS,
// keeping decorator metadata so that Nest's dependency injection works.
// The compiler options live in .swcrc, shared with scripts/run-ts.cjs.
const swc = JSON.parse(
  require('node:fs').readFileSync(require('node:path').join(__dirname, '.swcrc'), 'utf8'),
);
delete swc.$schema;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  // A few other dependencies are ESM-only too.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|content-disposition|file-type|cookie|light-my-request|strtok3|token-types|@tokenizer|uint8array-extras)/)',
  ],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/test-env.cjs'],
  maxWorkers: 2,
  testTimeout: 30_000,
};
