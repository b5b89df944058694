import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { loadOrCreateDevJwtSecret } from '../../src/config/dev-jwt-secret';
import { testJwtSecret } from '../support/auth';
import { newTenantId } from '../support/fixtures';
import { API, http, startListeningApp } from './e2e-helpers';

const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'token.cjs');

/** Runs `npm run token -- …` (the script itself) with only the variables given. */
function token(
  args: string[],
  env: Record<string, string> = { AUTH_JWT_SECRET: testJwtSecret() },
  cwd = resolve(__dirname, '..', '..'),
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const jwt = new JwtService();
const claimsOf = (printed: string): Record<string, unknown> =>
  jwt.verify(printed.trim(), { secret: testJwtSecret(), algorithms: ['HS256'] });

describe('npm run token', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startListeningApp('fastify');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('prints only an HS256 token with the requested claims, valid for an hour by default', () => {
    const tenant = newTenantId();
    const run = token([
      '--tenant',
      tenant.toUpperCase(),
      '--role',
      'tenant-admin',
      '--role',
      'integration',
      '--sub',
      'alice',
    ]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(run.stderr).toBe('');
    const header = JSON.parse(Buffer.from(run.stdout.split('.')[0] ?? '', 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = claimsOf(run.stdout);
    expect(claims).toEqual(
      expect.objectContaining({
        sub: 'alice',
        tenant_id: tenant,
        roles: ['tenant-admin', 'integration'],
      }),
    );
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it('--role platform-admin needs no tenant; --expires-in sets or removes exp', () => {
    const admin = claimsOf(token(['--role', 'platform-admin', '--expires-in', '15m']).stdout);
    expect(admin).toEqual(expect.objectContaining({ sub: 'dev-admin', roles: ['platform-admin'] }));
    expect(admin).not.toHaveProperty('tenant_id');
    expect((admin.exp as number) - (admin.iat as number)).toBe(900);
    const seconds = claimsOf(token(['--role', 'platform-admin', '--expires-in', '120']).stdout);
    expect((seconds.exp as number) - (seconds.iat as number)).toBe(120);
    expect(
      claimsOf(token(['--role', 'platform-admin', '--expires-in', 'none']).stdout),
    ).not.toHaveProperty('exp');
  });

  it('the printed token is accepted by the app', async () => {
    const tenant = newTenantId();
    const printed = token(['--tenant', tenant, '--role', 'tenant-viewer']).stdout.trim();
    const res = await http(app, { token: printed }).get(API).query({ tenant_id: tenant });
    expect(res.status).toBe(200);
  });

  it.each([
    [['--tenant', newTenantId()], /at least one --role is required/],
    [
      ['--role', 'superuser', '--tenant', newTenantId()],
      /unknown role 'superuser'; use platform-admin, tenant-admin, tenant-viewer, integration/,
    ],
    [['--role', 'tenant-admin'], /--tenant <uuid> is required for tenant-admin/],
    [['--role', 'integration', '--tenant', 'acme'], /--tenant must be a UUID \(got 'acme'\)/],
    [
      ['--role', 'platform-admin', '--expires-in', 'soon'],
      /--expires-in must be a number of seconds/,
    ],
    [['--role', 'platform-admin', '--sub', ''], /--sub must be 1-256 characters/],
    [['--role', 'platform-admin', '--tenat', newTenantId()], /Unknown option '--tenat'/],
  ])('%j: exit 2 with a clear message and nothing on stdout', (args, message) => {
    const run = token(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/--help for usage/);
  });

  it('--help prints the usage', () => {
    const run = token(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run -s token -- /);
  });

  it('NODE_ENV=production: refuses without AUTH_JWT_SECRET, and a short one', () => {
    const missing = token(['--role', 'platform-admin'], { NODE_ENV: 'production' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/AUTH_JWT_SECRET is required with NODE_ENV=production/);
    const short = token(['--role', 'platform-admin'], {
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: 'short',
    });
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 32 characters/);
  });

  it('without AUTH_JWT_SECRET: signs with ./.data/dev-jwt-secret, the file the app uses', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sp-token-'));
    const run = token(['--role', 'platform-admin'], {}, cwd);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('signed with the development secret');
    const file = join(cwd, '.data', 'dev-jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8').trim();
    expect(loadOrCreateDevJwtSecret(file)).toBe(secret);
    expect(jwt.verify(run.stdout.trim(), { secret, algorithms: ['HS256'] })).toEqual(
      expect.objectContaining({ sub: 'dev-admin' }),
    );
    // Reused, not regenerated.
    const again = token(['--role', 'platform-admin'], {}, cwd);
    expect(jwt.verify(again.stdout.trim(), { secret, algorithms: ['HS256'] }).sub).toBe(
      'dev-admin',
    );
  });
});
