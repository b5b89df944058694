#!/usr/bin/env node
// Generates the Prisma client (into src/service-platform/infrastructure/persistence/generated).
// `prisma generate` only needs the schema engine binary path to exist; offline it would otherwise
// try to download the native engine and fail. The generated client itself needs no engine.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const cli = path.join(__dirname, '..', 'node_modules', 'prisma', 'build', 'index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
