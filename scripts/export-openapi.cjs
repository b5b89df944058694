#!/usr/bin/env node
// Writes the demo app's OpenAPI document (what /api/docs-json serves) to dist/openapi.json, for
// `npm run lint:openapi` (Redocly CLI, `recommended` rules). Needs `npm run build` first; no
// database is needed: the app is built, asked for its document in-process, and closed.
'use strict';

const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'openapi.json');

async function main() {
  const bootstrap = path.join(root, 'dist', 'bootstrap.js');
  if (!fs.existsSync(bootstrap)) throw new Error('dist/ is missing: run `npm run build` first');
  Object.assign(process.env, {
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    // Nothing is read or written: a closed port, migrations off, throw-away secrets.
    DATABASE_URL: 'postgresql://127.0.0.1:1/openapi',
    DATABASE_MIGRATIONS: 'manual',
    ENCRYPTION_KEYS: `openapi:${randomBytes(32).toString('base64')}`,
    AUTH_JWT_SECRET: randomBytes(48).toString('base64'),
    OUTBOX_RELAY_ENABLED: 'false',
  });
  const { createApp } = require(bootstrap);
  const app = await createApp('fastify');
  try {
    const answer = await app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'GET', url: '/api/docs-json' });
    if (answer.statusCode !== 200) throw new Error(`/api/docs-json answered ${answer.statusCode}`);
    fs.writeFileSync(out, `${JSON.stringify(JSON.parse(answer.body), null, 2)}\n`);
    console.log(`OpenAPI document written to ${path.relative(root, out)}`);
  } finally {
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`Exporting the OpenAPI document failed: ${error.message}`);
    process.exit(1);
  },
);
