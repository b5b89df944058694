import { createHmac, generateKeyPairSync } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { testJwtSecret, tokenFor } from '../support/auth';
import { newTenantId, registerBody } from '../support/fixtures';
import { callRpc, createPlatformClient, type PlatformServiceClient } from '../support/grpc-client';
import { PLATFORMS, startHybridTestApp, type HybridTestApp } from '../support/test-app';
import { API, UNKNOWN_ID, expectErrorBody, http, startListeningApp } from './e2e-helpers';

// What the demo host app's JwtAuthGuard decides. The module's own authorization (roles, tenant
// scoping) is asserted elsewhere: here a valid token only has to get past authentication.

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const CHALLENGE = /^Bearer realm="service-platform"/;

describe.each(PLATFORMS)('bearer JWT authentication (%s)', (platform) => {
  let app: INestApplication;
  const tenant = newTenantId();
  const viewer = { tenantId: tenant, roles: ['tenant-viewer'] };
  const admin = { roles: ['platform-admin'] };

  beforeAll(async () => {
    app = await startListeningApp(platform);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** GET the tenant's list with this Authorization value (or none). */
  const list = (authorization?: string) => {
    const req = http(app, { token: null }).get(API).query({ tenant_id: tenant });
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  /** 401 with the contract's error body and a Bearer challenge; returns the message. */
  const expectUnauthenticated = (
    res: Parameters<typeof expectErrorBody>[0] & {
      headers: Record<string, string>;
    },
  ): string => {
    const body = expectErrorBody(res, 401, 'UNAUTHENTICATED');
    expect(body.error).toBe('Unauthorized');
    expect(body.details).toEqual([]);
    expect(res.headers['www-authenticate']).toMatch(CHALLENGE);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return body.message;
  };

  describe('no token', () => {
    it.each([
      ['GET', API],
      ['POST', API],
      ['GET', `${API}/${UNKNOWN_ID}`],
      ['PUT', `${API}/${UNKNOWN_ID}`],
      ['POST', `${API}/${UNKNOWN_ID}/deactivate`],
      ['POST', `${API}/${UNKNOWN_ID}/activate`],
    ])('%s %s: 401 UNAUTHENTICATED', async (method, path) => {
      const agent = http(app, { token: null });
      const req =
        method === 'GET'
          ? agent.get(path).query({ tenant_id: tenant })
          : method === 'PUT'
            ? agent.put(path).send({ config: { client_id: 'x' } })
            : agent.post(path).send(registerBody(tenant));
      const res = await req;
      expect(expectUnauthenticated(res)).toBe('Missing bearer token');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="service-platform"');
    });

    it('nothing was written by the refused register', async () => {
      await http(app, { token: null }).post(API).send(registerBody(tenant));
      const res = await http(app).get(API).query({ tenant_id: tenant });
      expect(res.status).toBe(200);
      expect(res.body.platforms).toEqual([]);
    });
  });

  describe('malformed Authorization header', () => {
    const valid = () => tokenFor(admin);
    it.each([
      ['Basic credentials', () => `Basic ${Buffer.from('admin:admin').toString('base64')}`],
      ['the scheme alone', () => 'Bearer'],
      ['a token without the scheme', valid],
      ['an opaque token', () => 'Bearer not-a-jwt'],
      ['two tokens', () => `Bearer ${valid()} ${valid()}`],
      ['another scheme name', () => `Token ${valid()}`],
    ])('%s: 401', async (_name, value) => {
      const res = await list(value());
      expect(expectUnauthenticated(res)).toMatch(/Malformed Authorization header/);
      expect(res.headers['www-authenticate']).toContain('error="invalid_request"');
    });
  });

  describe('refused tokens', () => {
    const now = () => Math.floor(Date.now() / 1000);
    it.each([
      ['signed with another secret', () => tokenFor({ ...admin, secret: `${testJwtSecret()}-x` })],
      ['expired', () => tokenFor({ ...admin, claims: { exp: now() - 60 } })],
      ['not yet valid (nbf)', () => tokenFor({ ...admin, claims: { nbf: now() + 3600 } })],
      ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'root', ...admin })}.`],
      [
        'alg none with the HS256 signature of another token',
        () => {
          const signature = tokenFor(admin).split('.')[2];
          return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'root', ...admin })}.${signature}`;
        },
      ],
      [
        'HS512 with the right secret',
        () =>
          new JwtService().sign(
            { sub: 'root', ...admin },
            { secret: testJwtSecret(), algorithm: 'HS512' },
          ),
      ],
      [
        'RS256',
        () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          return new JwtService().sign(
            { sub: 'root', ...admin },
            { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }), algorithm: 'RS256' },
          );
        },
      ],
      [
        'a viewer token whose payload was swapped for an admin one',
        () => {
          const [header, , signature] = tokenFor(viewer).split('.');
          return `${header}.${b64({ sub: 'root', ...admin, exp: now() + 60 })}.${signature}`;
        },
      ],
    ])('%s: 401', async (name, token) => {
      const value = token();
      const res = await list(`Bearer ${value}`);
      expect(expectUnauthenticated(res)).toBe(
        name === 'expired' ? 'Token expired' : 'Invalid token',
      );
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(res.text).not.toContain(value.split('.')[1]);
    });
  });

  describe('claims', () => {
    it.each([
      ['no sub', { roles: ['platform-admin'], claims: { sub: undefined } }, /no subject/],
      ['an empty sub', { roles: ['platform-admin'], sub: '' }, /no subject/],
      ['a numeric sub', { roles: ['platform-admin'], claims: { sub: 42 } }, /no subject/],
      [
        'roles not an array',
        { roles: [], claims: { roles: 'platform-admin' } },
        /roles must be an array/,
      ],
      ['no roles claim', { roles: [], claims: { roles: undefined } }, /roles must be an array/],
      ['tenant-admin without tenant_id', { roles: ['tenant-admin'] }, /no tenant_id/],
      ['tenant-viewer without tenant_id', { roles: ['tenant-viewer'] }, /no tenant_id/],
      ['integration without tenant_id', { roles: ['integration'] }, /no tenant_id/],
      ['no role and no tenant_id', { roles: [] }, /no tenant_id/],
      [
        'only unknown roles and no tenant_id',
        { roles: ['superuser', 'PLATFORM-ADMIN'] },
        /no tenant_id/,
      ],
      ['a tenant_id that is not a UUID', { roles: ['tenant-admin'], tenantId: 'tenant-a' }, /UUID/],
      ['a numeric tenant_id', { roles: ['tenant-admin'], claims: { tenant_id: 7 } }, /UUID/],
      ['an admin with a malformed tenant_id', { roles: ['platform-admin'], tenantId: 'x' }, /UUID/],
    ])('%s: 401', async (_name, request, reason) => {
      const res = await list(`Bearer ${tokenFor(request)}`);
      expect(expectUnauthenticated(res)).toMatch(reason);
    });

    it('unknown roles are dropped, not refused: a tenant token with extra roles authenticates', async () => {
      const token = tokenFor({ tenantId: tenant, roles: ['superuser', 'tenant-viewer', 'root'] });
      const res = await list(`Bearer ${token}`);
      expect(res.status).not.toBe(401);
    });

    it('an unknown role never stands in for platform-admin', async () => {
      for (const roles of [['admin'], ['platform_admin'], ['Platform-Admin']]) {
        expect((await list(`Bearer ${tokenFor({ roles })}`)).status).toBe(401);
      }
    });
  });

  describe('valid tokens reach the module', () => {
    it.each([
      ['platform-admin', { roles: ['platform-admin'] }],
      ['tenant-admin', { tenantId: tenant, roles: ['tenant-admin'] }],
      ['tenant-viewer', { tenantId: tenant, roles: ['tenant-viewer'] }],
      ['integration', { tenantId: tenant, roles: ['integration'] }],
      ['an upper-case tenant UUID', { tenantId: tenant.toUpperCase(), roles: ['tenant-viewer'] }],
      ['no exp (outside production)', { roles: ['platform-admin'], expiresIn: null }],
    ])('%s: not 401', async (_name, request) => {
      const res = await list(`Bearer ${tokenFor(request)}`);
      expect({ status: res.status, body: res.body }).not.toEqual(
        expect.objectContaining({ status: 401 }),
      );
    });

    it('the scheme is case-insensitive', async () => {
      expect((await list(`bearer ${tokenFor(admin)}`)).status).not.toBe(401);
    });

    it('a platform admin registers and reads back (the default e2e identity)', async () => {
      const other = newTenantId();
      const created = await http(app).post(API).send(registerBody(other));
      expect(created.status).toBe(201);
      expect((await http(app).get(`${API}/${created.body.platform.id}`)).status).toBe(200);
    });
  });

  describe('open endpoints', () => {
    it.each([
      '/health/live',
      '/health/ready',
      '/api/docs',
      '/api/docs-json',
      '/api/docs/swagger-ui-init.js',
    ])('GET %s: 200 without a token, and a bad token is ignored', async (path) => {
      expect((await http(app, { token: null }).get(path)).status).toBe(200);
      expect((await http(app, { token: 'not.a.token' }).get(path)).status).toBe(200);
    });

    it('an unknown route is still 404 without a token (no guard runs)', async () => {
      const res = await http(app, { token: null }).get('/api/v1/nope');
      expectErrorBody(res, 404, 'NOT_FOUND');
    });

    it('OpenAPI declares the bearer scheme for every API route (the probes are not API)', async () => {
      const doc = (await http(app, { token: null }).get('/api/docs-json')).body;
      expect(doc.components.securitySchemes.bearer).toEqual(
        expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      );
      expect(doc.security).toEqual([{ bearer: [] }]);
      expect(doc.paths['/health/live']).toBeUndefined();
      for (const operations of Object.values(doc.paths as Record<string, Record<string, object>>)) {
        for (const operation of Object.values(operations)) {
          // None opts out of the global requirement.
          expect((operation as { security?: unknown[] }).security ?? [{ bearer: [] }]).toEqual([
            { bearer: [] },
          ]);
        }
      }
    });
  });
});

describe.each(PLATFORMS)('bearer JWT authentication with NODE_ENV=production (%s)', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startListeningApp(platform, { NODE_ENV: 'production' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a token without exp: 401 "Token has no expiry (exp)"', async () => {
    const res = await http(app, { as: { roles: ['platform-admin'], expiresIn: null } })
      .get(API)
      .query({ tenant_id: newTenantId() });
    expect(expectErrorBody(res, 401, 'UNAUTHENTICATED').message).toBe('Token has no expiry (exp)');
  });

  it('a token with exp: not 401', async () => {
    const res = await http(app).get(API).query({ tenant_id: newTenantId() });
    expect(res.status).not.toBe(401);
  });

  // Issue 10, defect 5: a token that never expires.
  it.each([
    ['exp: 1e300', '{"sub":"root","roles":["platform-admin"],"exp":1e300}'],
    ['exp: 1e999 (parsed as Infinity)', '{"sub":"root","roles":["platform-admin"],"exp":1e999}'],
    ['exp: a fraction', `{"sub":"root","roles":["platform-admin"],"exp":${nowSeconds() + 60}.5}`],
    [
      'nbf: 1e300',
      `{"sub":"root","roles":["platform-admin"],"exp":${nowSeconds() + 60},"nbf":-1e300}`,
    ],
    [
      'iat: 1e999',
      `{"sub":"root","roles":["platform-admin"],"exp":${nowSeconds() + 60},"iat":1e999}`,
    ],
    [
      'exp 25 h ahead',
      `{"sub":"root","roles":["platform-admin"],"exp":${nowSeconds() + 25 * 3600}}`,
    ],
  ])('%s: 401', async (_name, payload) => {
    const res = await http(app, { token: signRaw(payload) })
      .get(API)
      .query({ tenant_id: newTenantId() });
    expectErrorBody(res, 401, 'UNAUTHENTICATED');
  });

  it('exp 23 h ahead (within AUTH_MAX_TOKEN_LIFETIME, default 24 h): accepted', async () => {
    const payload = `{"sub":"root","roles":["platform-admin"],"exp":${nowSeconds() + 23 * 3600}}`;
    const res = await http(app, { token: signRaw(payload) })
      .get(API)
      .query({ tenant_id: newTenantId() });
    expect(res.status).toBe(200);
  });
});

describe('AUTH_MAX_TOKEN_LIFETIME in production (REST and gRPC)', () => {
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;
  const forever = '{"sub":"root","roles":["platform-admin"],"exp":1e999}';

  beforeAll(async () => {
    hybrid = await startHybridTestApp('fastify', {
      NODE_ENV: 'production',
      AUTH_MAX_TOKEN_LIFETIME: '10m',
    });
    client = createPlatformClient(hybrid.address);
  });
  afterAll(async () => {
    client?.close();
    await hybrid?.app.close();
  });

  it('gRPC: a token that never expires is UNAUTHENTICATED', async () => {
    const outcome = await callRpc(
      client,
      'ListPlatforms',
      { tenant_id: newTenantId() },
      {
        token: signRaw(forever),
      },
    );
    expect(outcome.status).toBe('UNAUTHENTICATED');
  });

  it('a token 11 minutes ahead is refused on both transports, 9 minutes ahead accepted', async () => {
    const later = (minutes: number): string =>
      signRaw(`{"sub":"root","roles":["platform-admin"],"exp":${nowSeconds() + minutes * 60}}`);
    const tenant = newTenantId();
    expect(
      (
        await http(hybrid.app, { token: later(11) })
          .get(API)
          .query({ tenant_id: tenant })
      ).status,
    ).toBe(401);
    expect(
      (
        await http(hybrid.app, { token: later(9) })
          .get(API)
          .query({ tenant_id: tenant })
      ).status,
    ).toBe(200);
    expect(
      (await callRpc(client, 'ListPlatforms', { tenant_id: tenant }, { token: later(11) })).status,
    ).toBe('UNAUTHENTICATED');
    expect(
      (await callRpc(client, 'ListPlatforms', { tenant_id: tenant }, { token: later(9) })).status,
    ).toBe('OK');
  });
});

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** An HS256 token over exactly this payload text (JSON numbers jsonwebtoken would never write). */
function signRaw(payload: string): string {
  const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
  const body = Buffer.from(payload).toString('base64url');
  const signature = createHmac('sha256', testJwtSecret())
    .update(`${header}.${body}`)
    .digest('base64url');
  return `${header}.${body}.${signature}`;
}
