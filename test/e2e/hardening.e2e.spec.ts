import type { INestApplication } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { RollingWindowThrottlerStorage } from '../../src/auth/rolling-window-throttler.storage';
import { newTenantId } from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import { API, UNKNOWN_ID, expectErrorBody, http, startListeningApp } from './e2e-helpers';

/** Helmet's set, as configured for the demo app, on every kind of answer. */
function expectSecurityHeaders(res: { headers: Record<string, string | undefined> }): void {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}; includeSubDomains/);
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.headers['content-security-policy']).toEqual(expect.any(String));
}

/** `default-src 'none'; frame-ancestors 'none'; …` → { 'default-src': "'none'", … } */
function cspOf(res: { headers: Record<string, string | undefined> }): Record<string, string> {
  return Object.fromEntries(
    (res.headers['content-security-policy'] ?? '')
      .split(';')
      .map((directive) => directive.trim())
      .filter((directive) => directive !== '')
      .map((directive) => {
        const [name = '', ...values] = directive.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-allow-credentials',
  'access-control-expose-headers',
];

describe.each(PLATFORMS)('hardening (%s)', (platform) => {
  describe('security headers and CORS off (defaults)', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await startListeningApp(platform);
    });
    afterAll(async () => {
      await app?.close();
    });

    it.each([
      ['an API answer', () => http(app).get(API).query({ tenant_id: newTenantId() })],
      ['a 401', () => http(app, { token: null }).get(API)],
      ['a 404 of the module', () => http(app).get(`${API}/${UNKNOWN_ID}`)],
      ['an unknown route', () => http(app).get('/nope')],
      ['a 400 (malformed JSON)', () => http(app).post(API).type('json').send('{')],
      [
        'a 413',
        () =>
          http(app)
            .post(API)
            .type('json')
            .send(JSON.stringify({ padding: 'x'.repeat(70_000) })),
      ],
      ['health', () => http(app).get('/health/live')],
      ['the OpenAPI JSON', () => http(app).get('/api/docs-json')],
    ])('%s carries the security headers and the strict API CSP', async (_name, send) => {
      const res = await send();
      expectSecurityHeaders(res);
      expect(cspOf(res)).toEqual({
        'default-src': "'none'",
        'base-uri': "'none'",
        'form-action': "'none'",
        'frame-ancestors': "'none'",
      });
    });

    it('Swagger UI: 200 HTML under a CSP that allows its own assets, all served', async () => {
      const page = await http(app, { token: null }).get('/api/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expectSecurityHeaders(page);
      const csp = cspOf(page);
      expect(csp['script-src']).toBe("'self'");
      expect(csp['style-src']).toBe("'self' 'unsafe-inline'");
      expect(csp['img-src']).toBe("'self' data:");
      expect(csp['connect-src']).toBe("'self'");
      expect(csp['frame-ancestors']).toBe("'none'");
      expect(csp['object-src']).toBe("'none'");
      expect(csp).not.toHaveProperty('upgrade-insecure-requests');

      // Every script is an external file of this origin ('self'): no inline script to block.
      const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes = '', body = ''] of scripts) {
        expect(attributes).toMatch(/\bsrc=["']\.\/docs\//);
        expect(body.trim()).toBe('');
      }
      const assets = [...page.text.matchAll(/(?:src|href)=["']\.\/docs\/([^"']+)["']/g)].map(
        (m) => m[1],
      );
      expect(assets).toEqual(
        expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-init.js']),
      );
      for (const asset of assets) {
        const file = await http(app, { token: null }).get(`/api/docs/${asset}`);
        expect({ asset, status: file.status }).toEqual({ asset, status: 200 });
        expect(cspOf(file)['script-src']).toBe("'self'");
        expect(file.headers['x-content-type-options']).toBe('nosniff');
      }
    });

    it('no CORS headers, whatever the Origin', async () => {
      const res = await http(app)
        .get(API)
        .query({ tenant_id: newTenantId() })
        .set('Origin', 'https://evil.example');
      for (const header of CORS_HEADERS) expect(res.headers[header]).toBeUndefined();
    });

    it('a preflight is not answered with CORS headers', async () => {
      const res = await http(app, { token: null })
        .options(API)
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(res.status).toBeGreaterThanOrEqual(400);
      for (const header of CORS_HEADERS) expect(res.headers[header]).toBeUndefined();
    });
  });

  describe('CORS_ORIGINS set', () => {
    let app: INestApplication;
    const allowed = 'https://app.example.com';
    beforeAll(async () => {
      app = await startListeningApp(platform, {
        CORS_ORIGINS: `${allowed}, http://localhost:5173`,
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('the allowed origin is echoed, ETag and Retry-After exposed, no credentials', async () => {
      const res = await http(app)
        .get(API)
        .query({ tenant_id: newTenantId() })
        .set('Origin', allowed);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(allowed);
      expect(res.headers['access-control-expose-headers']).toMatch(/ETag/);
      expect(res.headers['access-control-expose-headers']).toMatch(/Retry-After/);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers.vary).toMatch(/Origin/i);
    });

    it('the second origin too', async () => {
      const res = await http(app)
        .get(API)
        .query({ tenant_id: newTenantId() })
        .set('Origin', 'http://localhost:5173');
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    });

    it('another origin gets no Access-Control-Allow-Origin', async () => {
      const res = await http(app)
        .get(API)
        .query({ tenant_id: newTenantId() })
        .set('Origin', 'https://evil.example');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('a preflight (no token) from the allowed origin is answered: methods and headers', async () => {
      const res = await http(app, { token: null })
        .options(`${API}/${UNKNOWN_ID}`)
        .set('Origin', allowed)
        .set('Access-Control-Request-Method', 'PUT')
        .set('Access-Control-Request-Headers', 'authorization,content-type,if-match');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(allowed);
      expect(res.headers['access-control-allow-methods']).toMatch(/PUT/);
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).toEqual(
        expect.stringContaining('authorization'),
      );
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).toEqual(
        expect.stringContaining('if-match'),
      );
    });

    it('errors of the body parser carry the CORS headers too', async () => {
      const res = await http(app).post(API).type('json').set('Origin', allowed).send('{');
      expectErrorBody(res, 400);
      expect(res.headers['access-control-allow-origin']).toBe(allowed);
    });

    it('CORS does not bypass authentication', async () => {
      const res = await http(app, { token: null }).get(API).set('Origin', allowed);
      expectErrorBody(res, 401, 'UNAUTHENTICATED');
      expect(res.headers['access-control-allow-origin']).toBe(allowed);
    });
  });

  describe('per-tenant rate limit (RATE_LIMIT_PER_MINUTE=5)', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await startListeningApp(platform, { RATE_LIMIT_PER_MINUTE: '5' });
    });
    afterAll(async () => {
      await app?.close();
    });

    const as = (tenantId: string, roles = ['tenant-admin']) => ({ as: { tenantId, roles } });

    it('counts with the O(1) rolling-window storage, not the package default', () => {
      expect(app.get(ThrottlerStorage, { strict: false })).toBeInstanceOf(
        RollingWindowThrottlerStorage,
      );
    });

    it('the 6th request of a tenant within a minute: 429 with Retry-After; another tenant is still served', async () => {
      const tenantA = newTenantId();
      const tenantB = newTenantId();
      // One budget per tenant across routes and actors of that tenant.
      const first = [
        await http(app, as(tenantA)).get(API).query({ tenant_id: tenantA }),
        await http(app, as(tenantA)).get(`${API}/${UNKNOWN_ID}`),
        await http(app, as(tenantA, ['tenant-viewer']))
          .get(API)
          .query({ tenant_id: tenantA }),
        await http(app, { as: { tenantId: tenantA, roles: ['integration'], sub: 'bot' } }).get(API),
        await http(app, as(tenantA)).post(`${API}/${UNKNOWN_ID}/activate`),
      ];
      expect(first.map((res) => res.status)).not.toContain(429);
      expect(first[0]?.headers['x-ratelimit-limit']).toBe('5');
      expect(first[4]?.headers['x-ratelimit-remaining']).toBe('0');

      const limited = await http(app, as(tenantA)).get(API).query({ tenant_id: tenantA });
      const body = expectErrorBody(limited, 429, 'TOO_MANY_REQUESTS');
      expect(body.error).toBe('Too Many Requests');
      expect(body.message).toMatch(/^Too many requests: at most 5 per minute; retry in \d+ s$/);
      const retryAfter = Number(limited.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expectSecurityHeaders(limited);

      const other = await http(app, as(tenantB)).get(API).query({ tenant_id: tenantB });
      expect(other.status).not.toBe(429);
    });

    it('actors without a tenant (platform admins) are counted by sub', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await http(app, { as: { roles: ['platform-admin'], sub: 'ops-1' } })
          .get(API)
          .query({ tenant_id: newTenantId() });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 5)).not.toContain(429);
      expect(statuses[5]).toBe(429);
      const otherAdmin = await http(app, { as: { roles: ['platform-admin'], sub: 'ops-2' } })
        .get(API)
        .query({ tenant_id: newTenantId() });
      expect(otherAdmin.status).not.toBe(429);
    });

    it('health and docs are not limited', async () => {
      for (let i = 0; i < 12; i++) {
        expect((await http(app, { token: null }).get('/health/live')).status).toBe(200);
      }
      for (let i = 0; i < 3; i++) {
        expect((await http(app, { token: null }).get('/health/ready')).status).toBe(200);
        expect((await http(app, { token: null }).get('/api/docs-json')).status).toBe(200);
        expect((await http(app, { token: null }).get('/api/docs')).status).toBe(200);
      }
    });

    it('a refused token is answered 401 before any counting', async () => {
      const tenant = newTenantId();
      for (let i = 0; i < 7; i++) {
        const res = await http(app, { token: 'x.y.z' }).get(API).query({ tenant_id: tenant });
        expect(res.status).toBe(401);
      }
      const res = await http(app, as(tenant)).get(API).query({ tenant_id: tenant });
      expect(res.status).not.toBe(429);
    });
  });
});
