#!/usr/bin/env node
// Prints a bearer token for the demo host app (`npm run -s token -- --tenant <uuid> --role tenant-admin`).
//
// Signs HS256 with AUTH_JWT_SECRET, or - outside production, when it is unset - with the
// development secret in ./.data/dev-jwt-secret, the file the app itself uses (created here if the
// app has not run yet). Only the token goes to stdout, so `TOKEN=$(npm run -s token -- ...)` works.
'use strict';

const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { parseArgs } = require('node:util');

const ROLES = ['platform-admin', 'tenant-admin', 'tenant-viewer', 'integration'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEV_SECRET_FILE = path.resolve('.data', 'dev-jwt-secret');
const MIN_PRODUCTION_SECRET_LENGTH = 32;

const USAGE = `Usage: npm run -s token -- [--tenant <uuid>] --role <role> [--role <role> ...]
                             [--sub <actor id>] [--expires-in <1h|30m|7d|3600|none>]

  --role        ${ROLES.join(', ')} (repeatable)
  --tenant      the tenant's UUID; required unless one of the roles is platform-admin
  --sub         actor id (default: dev-admin for platform-admin, else dev-user)
  --expires-in  lifetime (default 1h): a number of seconds or 30s, 15m, 1h, 7d; "none" makes a
                token without exp (refused by an app running with NODE_ENV=production)

Secret: AUTH_JWT_SECRET, else (not in production) ${DEV_SECRET_FILE}.
Example:
  TOKEN=$(npm run -s token -- --tenant 0b5e5bd6-6c43-4c0b-9d1e-1c1f3f9a2b10 --role tenant-admin)
  curl -H "Authorization: Bearer $TOKEN" http://localhost:3000/api/v1/platforms`;

class UsageError extends Error {}

/** jsonwebtoken is a dependency of @nestjs/jwt; resolve it through that package if not hoisted. */
function loadJsonWebToken() {
  try {
    return require('jsonwebtoken');
  } catch {
    return createRequire(require.resolve('@nestjs/jwt'))('jsonwebtoken');
  }
}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        tenant: { type: 'string' },
        role: { type: 'string', multiple: true },
        sub: { type: 'string' },
        'expires-in': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const { values } = parsed;
  if (values.help) return { help: true };

  const roles = [...new Set(values.role ?? [])];
  if (roles.length === 0) throw new UsageError('at least one --role is required');
  const unknown = roles.filter((role) => !ROLES.includes(role));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown role ${unknown.map((r) => `'${r}'`).join(', ')}; use ${ROLES.join(', ')}`,
    );
  }

  const tenant = values.tenant;
  if (tenant !== undefined && !UUID.test(tenant)) {
    throw new UsageError(`--tenant must be a UUID (got '${tenant}')`);
  }
  if (tenant === undefined && !roles.includes('platform-admin')) {
    throw new UsageError(
      `--tenant <uuid> is required for ${roles.join(', ')} (only platform-admin has no tenant)`,
    );
  }

  const sub = values.sub ?? (roles.includes('platform-admin') ? 'dev-admin' : 'dev-user');
  if (sub.trim() === '' || sub.length > 256) throw new UsageError('--sub must be 1-256 characters');

  const expiresIn = expiry(values['expires-in'] ?? '1h');
  return { help: false, roles, tenant: tenant?.toLowerCase(), sub, expiresIn };
}

/** Seconds, or a jsonwebtoken timespan such as 30s, 15m, 1h, 7d; undefined for "none". */
function expiry(value) {
  if (value === 'none') return undefined;
  if (/^\d+$/.test(value) && Number(value) > 0) return Number(value);
  if (/^\d+(\.\d+)?\s*(ms|s|m|h|d|w|y)$/i.test(value)) return value;
  throw new UsageError(
    `--expires-in must be a number of seconds, a timespan like 15m, 1h, 7d, or none (got '${value}')`,
  );
}

function secret() {
  const fromEnv = (process.env.AUTH_JWT_SECRET ?? '').trim();
  const production = (process.env.NODE_ENV ?? '').trim() === 'production';
  if (fromEnv !== '') {
    if (production && fromEnv.length < MIN_PRODUCTION_SECRET_LENGTH) {
      throw new UsageError(
        `AUTH_JWT_SECRET must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters in production`,
      );
    }
    return { value: fromEnv, source: 'AUTH_JWT_SECRET' };
  }
  if (production) {
    throw new UsageError(
      'AUTH_JWT_SECRET is required with NODE_ENV=production (the dev secret is never used there)',
    );
  }
  return { value: loadOrCreateDevSecret(DEV_SECRET_FILE), source: DEV_SECRET_FILE };
}

/** The same file, format and mode as src/config/dev-jwt-secret.ts. */
function loadOrCreateDevSecret(file) {
  const existing = readSecret(file);
  if (existing !== undefined) return existing;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const created = randomBytes(48).toString('base64url');
  try {
    fs.writeFileSync(file, `${created}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const raced = error.code === 'EEXIST' ? readSecret(file) : undefined;
    if (raced !== undefined) return raced;
    throw error;
  }
  fs.chmodSync(file, 0o600);
  return created;
}

function readSecret(file) {
  try {
    const value = fs.readFileSync(file, 'utf8').trim();
    if (value !== '') return value;
    throw new UsageError(`${file} is empty: delete it to generate a new development JWT secret`);
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function main() {
  const options = parse(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const key = secret();
  const jwt = loadJsonWebToken();
  const payload = { sub: options.sub, roles: options.roles };
  if (options.tenant !== undefined) payload.tenant_id = options.tenant;
  const token = jwt.sign(payload, key.value, {
    algorithm: 'HS256',
    ...(options.expiresIn !== undefined && { expiresIn: options.expiresIn }),
  });
  process.stdout.write(`${token}\n`);
  if (key.source !== 'AUTH_JWT_SECRET') {
    process.stderr.write(`(signed with the development secret in ${key.source})\n`);
  }
}

try {
  main();
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`token: ${error.message}\n(npm run -s token -- --help for usage)\n`);
    process.exit(2);
  }
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
