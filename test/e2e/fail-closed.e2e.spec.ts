import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Metadata } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { canarySecret, newTenantId, validConfig } from '../support/fixtures';
import { tokenFor } from '../support/auth';
import {
  callRpc,
  createPlatformClient,
  toStruct,
  type PlatformServiceClient,
} from '../support/grpc-client';
import { PLATFORMS, startHybridTestApp, type HybridTestApp } from '../support/test-app';
import {
  API,
  expectErrorBody,
  expectNoSecret,
  fieldsOf,
  http,
  registerPlatform,
  startListeningApp,
} from './e2e-helpers';

/** Headers every answer carries, the framework's own included (helmet). */
function expectSecurityHeaders(headers: Record<string, unknown>): void {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['content-security-policy']).toEqual(expect.any(String));
  expect(headers['strict-transport-security']).toEqual(expect.any(String));
}

/** A raw HTTP request (supertest would normalise the path or the body). */
function rawRequest(
  app: INestApplication,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, unknown>; text: string; body: unknown }> {
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method,
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

describe.each(PLATFORMS)('fail closed (%s)', (platform) => {
  let app: INestApplication;
  let sql: Client;

  beforeAll(async () => {
    app = await startListeningApp(platform);
    sql = new Client({ connectionString: process.env.DATABASE_URL });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await app?.close();
  });

  async function rowsOfTenant(tenantId: string): Promise<number> {
    const { rows } = await sql.query<{ n: string }>(
      'SELECT count(*) AS n FROM service_platforms WHERE tenant_id = $1',
      [tenantId],
    );
    return Number(rows[0]?.n);
  }

  describe('text PostgreSQL cannot store (defect 2)', () => {
    it.each([
      [
        'a NUL in additional_data.region',
        { additional_data: { region: 'eu\u0000west' } },
        'config.additional_data.region',
      ],
      ['a NUL in the provider tenant_id', { tenant_id: 'contoso\u0000' }, 'config.tenant_id'],
      ['a NUL in client_id', { client_id: 'cl\u0000ient' }, 'config.client_id'],
      [
        'a lone high surrogate',
        { additional_data: { region: '\ud800' } },
        'config.additional_data.region',
      ],
      [
        'a lone low surrogate in a key',
        { additional_data: { ['k\udc00']: 'v' } },
        'config.additional_data',
      ],
      [
        'a NUL nested in an array',
        { additional_data: { list: ['a', 'b\u0000'] } },
        'config.additional_data.list.1',
      ],
    ])(
      'register with %s: 400 VALIDATION_FAILED naming the field, nothing written',
      async (_name, config, field) => {
        const tenantId = newTenantId();
        const res = await http(app)
          .post(API)
          .send({
            tenant_id: tenantId,
            service_name: 'outlook',
            config: { ...validConfig('outlook'), client_secret: canarySecret(), ...config },
          });
        const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
        expect(fieldsOf(error)).toContain(field);
        expect(await rowsOfTenant(tenantId)).toBe(0);
      },
    );

    it('update with a NUL in client_id: 400 VALIDATION_FAILED, nothing changed', async () => {
      const { platform: created } = await registerPlatform(app, newTenantId());
      const res = await http(app)
        .put(`${API}/${created.id}`)
        .send({ config: { client_id: 'x\u0000y' } });
      const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(error)).toEqual(['config.client_id']);
      expect((await http(app).get(`${API}/${created.id}`)).body.version).toBe(1);
    });

    it('update with a lone surrogate in additional_data: 400, nothing changed', async () => {
      const { platform: created } = await registerPlatform(app, newTenantId());
      const res = await http(app)
        .put(`${API}/${created.id}`)
        .send({ config: { additional_data: { region: 'x\udbff' } } });
      expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect((await http(app).get(`${API}/${created.id}`)).body.version).toBe(1);
    });

    it.each([
      '0000-01-01T00:00:00.000Z',
      '-000001-01-01T00:00:00.000Z',
      '10000-01-01T00:00:00.000Z',
    ])('an audit cursor at %s: 400 VALIDATION_FAILED on cursor', async (at) => {
      const { platform: created } = await registerPlatform(app, newTenantId());
      const cursor = Buffer.from(`a1:${at}|${created.id}`, 'utf8').toString('base64url');
      const res = await http(app).get(`${API}/${created.id}/audit`).query({ cursor });
      const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(error)).toEqual(['cursor']);
    });

    it('a token whose sub holds a NUL is refused (401), nothing written', async () => {
      const tenantId = newTenantId();
      const token = tokenFor({ sub: 'mallory\u0000', roles: ['platform-admin'] });
      const res = await http(app, { token })
        .post(API)
        .send({
          tenant_id: tenantId,
          service_name: 'outlook',
          config: validConfig('outlook'),
        });
      expectErrorBody(res, 401, 'UNAUTHENTICATED');
      expect(await rowsOfTenant(tenantId)).toBe(0);
    });
  });

  describe('content types (defect 3)', () => {
    const secret = canarySecret('form');
    const json = (tenantId: string): string =>
      JSON.stringify({
        tenant_id: tenantId,
        service_name: 'outlook',
        config: validConfig('outlook', { client_secret: secret }),
      });

    it.each([
      'application/x-www-form-urlencoded',
      'text/plain',
      'text/plain; charset=utf-8',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=utf-16',
      'application/json; charset=iso-8859-1',
      'application/merge-patch+json',
    ])(
      'POST with %s: 415 UNSUPPORTED_MEDIA_TYPE, body not quoted, nothing written',
      async (type) => {
        const tenantId = newTenantId();
        const res = await rawRequest(app, {
          method: 'POST',
          path: API,
          headers: {
            'content-type': type,
            authorization: `Bearer ${tokenFor({ roles: ['platform-admin'] })}`,
          },
          body: json(tenantId),
        });
        expectErrorBody(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expectNoSecret(res, secret);
        expect(res.text).not.toContain(tenantId);
        expectSecurityHeaders(res.headers);
        expect(await rowsOfTenant(tenantId)).toBe(0);
      },
    );

    it('PUT with a form body: 415, nothing changed', async () => {
      const { platform: created } = await registerPlatform(app, newTenantId());
      const res = await rawRequest(app, {
        method: 'PUT',
        path: `${API}/${created.id}`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Bearer ${tokenFor({ roles: ['platform-admin'] })}`,
        },
        body: `{"config":{"client_secret":"${secret}"}}`,
      });
      expectErrorBody(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectNoSecret(res, secret);
      expect((await http(app).get(`${API}/${created.id}`)).body.version).toBe(1);
    });

    it('a JSON body without a content type: 415', async () => {
      const res = await rawRequest(app, {
        method: 'POST',
        path: API,
        headers: { authorization: `Bearer ${tokenFor({ roles: ['platform-admin'] })}` },
        body: json(newTenantId()),
      });
      expectErrorBody(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it.each([
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON; Charset="UTF-8"',
    ])('%s is accepted', async (type) => {
      const res = await rawRequest(app, {
        method: 'POST',
        path: API,
        headers: {
          'content-type': type,
          authorization: `Bearer ${tokenFor({ roles: ['platform-admin'] })}`,
        },
        body: json(newTenantId()),
      });
      expect(res.status).toBe(201);
    });

    it('an unknown field named like a secret is reported by name only, its value never', async () => {
      const res = await http(app)
        .post(API)
        .send({
          tenant_id: newTenantId(),
          service_name: 'outlook',
          config: validConfig('outlook'),
          password: secret,
        });
      const error = expectErrorBody(res, 400);
      expect(fieldsOf(error)).toEqual(['password']);
      expectNoSecret(res, secret);
    });

    it('no answer repeats the request path or its values', async () => {
      const marker = `marker${Date.now()}`;
      const notFound = await http(app).get(`/api/v1/${marker}`);
      expectErrorBody(notFound, 404);
      expect(notFound.text).not.toContain(marker);
      const badId = await http(app).get(`${API}/${marker}`);
      expectErrorBody(badId, 400, 'VALIDATION_FAILED');
      expect(badId.text).not.toContain(marker);
      const tenantId = newTenantId();
      await registerPlatform(app, tenantId);
      const duplicate = await http(app)
        .post(API)
        .send({
          tenant_id: tenantId,
          service_name: 'outlook',
          config: validConfig('outlook'),
        });
      expectErrorBody(duplicate, 409, 'PLATFORM_ALREADY_EXISTS');
      expect(duplicate.text).not.toContain(tenantId);
    });
  });

  describe('framework answers (defect 6)', () => {
    it.each([
      ['a 600-character platform id', `${API}/${'a'.repeat(600)}`, 400],
      ['a 600-character segment under deactivate', `${API}/${'b'.repeat(600)}/deactivate`, 404],
      ['a 5,000-character unknown path', `/api/v1/${'c'.repeat(5000)}`, 404],
    ])('%s: the contract body, security headers, no echo', async (_name, path, status) => {
      const method = path.endsWith('/deactivate') ? 'GET' : 'GET';
      const res = await rawRequest(app, {
        method,
        path,
        headers: { authorization: `Bearer ${tokenFor({ roles: ['platform-admin'] })}` },
      });
      const error = expectErrorBody(res, status);
      expect(error.code).not.toMatch(/^FST_/);
      expect(res.text).not.toMatch(/aaaa|bbbb|cccc/);
      expectSecurityHeaders(res.headers);
    });

    it('a malformed percent-encoding in the path: 400 with the contract body and headers', async () => {
      const res = await rawRequest(app, {
        method: 'GET',
        path: `${API}/%E0%A4%A`,
        headers: { authorization: `Bearer ${tokenFor({ roles: ['platform-admin'] })}` },
      });
      expect([400, 404]).toContain(res.status);
      const error = expectErrorBody(res, res.status);
      expect(error.code).not.toMatch(/^FST_/);
      expectSecurityHeaders(res.headers);
    });

    it('an unsupported method on a known path: the contract body and headers', async () => {
      const res = await rawRequest(app, {
        method: 'DELETE',
        path: API,
        headers: { authorization: `Bearer ${tokenFor({ roles: ['platform-admin'] })}` },
      });
      const error = expectErrorBody(res, res.status);
      expect([404, 405]).toContain(res.status);
      expect(error.message).not.toContain(API);
      expectSecurityHeaders(res.headers);
    });
  });
});

describe('fail closed over gRPC', () => {
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;

  beforeAll(async () => {
    hybrid = await startHybridTestApp('fastify');
    client = createPlatformClient(hybrid.address);
  });
  afterAll(async () => {
    client?.close();
    await hybrid?.app.close();
  });

  it.each([
    [
      'a NUL in additional_data.region',
      { additional_data: toStruct({ region: 'eu\u0000' }) },
      'config.additional_data.region',
    ],
    // (A lone surrogate cannot cross gRPC: protobuf writes it as U+FFFD, which is storable.)
    ['a NUL in the provider tenant_id', { tenant_id: 'x\u0000' }, 'config.tenant_id'],
  ])(
    'RegisterPlatform with %s: INVALID_ARGUMENT naming the field, nothing written',
    async (_name, extra, field) => {
      const tenantId = newTenantId();
      const outcome = await callRpc(client, 'RegisterPlatform', {
        tenant_id: tenantId,
        service_name: 'outlook',
        config: { ...validConfig('outlook'), ...extra },
      });
      expect(outcome.status).toBe('INVALID_ARGUMENT');
      expect(outcome.errorCode).toBe('VALIDATION_FAILED');
      expect(outcome.rich?.fieldViolations.map((violation) => violation.field)).toContain(field);
      const list = await callRpc<{ platforms?: unknown[] }>(client, 'ListPlatforms', {
        tenant_id: tenantId,
      });
      expect(list.value?.platforms ?? []).toEqual([]);
    },
  );

  it('bytes that are not a protobuf message: INVALID_ARGUMENT after authentication, not INTERNAL', async () => {
    const send = (authorization?: string) =>
      new Promise<{ code: number; details: string }>((resolve) => {
        const metadata = new Metadata();
        if (authorization !== undefined) metadata.set('authorization', authorization);
        client.makeUnaryRequest(
          '/serviceplatform.v1.PlatformService/GetPlatform',
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          Buffer.from([249, 255, 2, 7, 148, 5, 65]),
          metadata,
          (error) => resolve({ code: error?.code ?? 0, details: error?.details ?? '' }),
        );
      });
    expect(await send(`Bearer ${tokenFor({ roles: ['platform-admin'] })}`)).toEqual({
      code: 3, // INVALID_ARGUMENT
      details: 'The request is not a valid protobuf message',
    });
    expect((await send()).code).toBe(16); // UNAUTHENTICATED comes first
  });

  it('UpdatePlatform with a NUL in client_id: INVALID_ARGUMENT, nothing changed', async () => {
    const created = await callRpc<{ platform: { id: string } }>(client, 'RegisterPlatform', {
      tenant_id: newTenantId(),
      service_name: 'outlook',
      config: validConfig('outlook'),
    });
    const id = created.value?.platform.id as string;
    const outcome = await callRpc(client, 'UpdatePlatform', {
      platform_id: id,
      config: { client_id: 'a\u0000b' },
    });
    expect(outcome.status).toBe('INVALID_ARGUMENT');
    const read = await callRpc<{ version: number }>(client, 'GetPlatform', { platform_id: id });
    expect(read.value?.version).toBe(1);
  });
});
