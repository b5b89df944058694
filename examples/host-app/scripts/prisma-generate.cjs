#!/usr/bin/env node
// `prisma generate` for the host's own schema. Where the Prisma CLI cannot download its native
// schema engine (an offline machine), it only needs the variable to point at an existing file:
// generating the client uses no engine. Elsewhere, plain `npx prisma generate` does the same.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const cli = path.join(__dirname, '..', 'node_modules', 'prisma', 'build', 'index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
