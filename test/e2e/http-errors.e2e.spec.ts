import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { canarySecret, newTenantId, OUTLOOK_CLIENT_ID, validConfig } from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import {
  API,
  UNKNOWN_ID,
  expectErrorBody,
  expectNoSecret,
  http,
  registerPlatform,
  startListeningApp,
} from './e2e-helpers';

const LIMIT = 64 * 1024;

/** The members of a valid Outlook `config`, as JSON text (for bodies written by hand). */
const OUTLOOK_CONFIG_MEMBERS = `"client_id":"${OUTLOOK_CLIENT_ID}","client_secret":"b","tenant_id":"contoso.onmicrosoft.com"`;

/** A valid register body serialized to exactly `bytes` bytes (padding in additional_data). */
function registerJsonOfSize(bytes: number, tenantId = newTenantId()): string {
  const make = (padding: string): string =>
    JSON.stringify({
      tenant_id: tenantId,
      service_name: 'outlook',
      config: { ...validConfig('outlook'), client_secret: 'secret', additional_data: { padding } },
    });
  const json = make('x'.repeat(bytes - make('').length));
  expect(Buffer.byteLength(json)).toBe(bytes);
  return json;
}

describe.each(PLATFORMS)('HTTP errors (%s)', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startListeningApp(platform);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('malformed JSON: 400 with the error body, the body not echoed', async () => {
    const canary = canarySecret('malformed');
    const res = await http(app)
      .post(API)
      .set('Content-Type', 'application/json')
      .send(`{"tenant_id": "${newTenantId()}", "config": {"client_secret": "${canary}"`);

    const error = expectErrorBody(res, 400);
    expect(['VALIDATION_FAILED', 'INVALID_PLATFORM_CONFIG']).toContain(error.code);
    expect(error.error).toBe('Bad Request');
    expect(error.message).toMatch(/JSON/);
    expect(error.message).not.toMatch(/client_secret|tenant_id|position|line \d/);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expectNoSecret(res, canary);
  });

  it.each([
    ['trailing garbage', '{"config": {}} x'],
    ['single quotes', "{'config': {}}"],
    ['a bare word', 'secret-word'],
  ])('malformed JSON on PUT (%s): 400, body not echoed', async (_name, text) => {
    const { platform: created } = await registerPlatform(app, newTenantId());
    const res = await http(app)
      .put(`${API}/${created.id}`)
      .set('Content-Type', 'application/json')
      .send(text);
    const error = expectErrorBody(res, 400);
    expect(error.message).not.toContain(text);
    expect(res.text).not.toContain('secret-word');
    expect((await http(app).get(`${API}/${created.id}`)).body.version).toBe(1);
  });

  it('a deeply nested body (5000 levels in about 10 KB): 400, not a stack overflow', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await http(app)
      .post(API)
      .set('Content-Type', 'application/json')
      .send(
        `{"tenant_id":"${newTenantId()}","service_name":"outlook",` +
          `"config":{${OUTLOOK_CONFIG_MEMBERS},"additional_data":{"a":${deep}}}}`,
      );
    expectErrorBody(res, 400);
  });

  it('a JSON array or an empty body: 400 with the error body', async () => {
    for (const text of ['[]', '']) {
      const res = await http(app).post(API).set('Content-Type', 'application/json').send(text);
      expectErrorBody(res, 400);
    }
  });

  it('a body over 64 KiB: 413 PAYLOAD_TOO_LARGE, nothing written', async () => {
    const tenant = newTenantId();
    const res = await http(app)
      .post(API)
      .set('Content-Type', 'application/json')
      .send(registerJsonOfSize(LIMIT + 1, tenant));

    const error = expectErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(error.error).toBe('Payload Too Large');
    expect(res.text).not.toContain('xxxxxxxxxx');
    const list = await http(app).get(API).query({ tenant_id: tenant });
    expect(list.body.platforms).toEqual([]);
  });

  it('a body of exactly 64 KiB is accepted', async () => {
    const res = await http(app)
      .post(API)
      .set('Content-Type', 'application/json')
      .send(registerJsonOfSize(LIMIT));
    expect(res.status).toBe(201);
  });

  it('a PUT body over 64 KiB: 413 PAYLOAD_TOO_LARGE', async () => {
    const { platform: created } = await registerPlatform(app, newTenantId());
    const res = await http(app)
      .put(`${API}/${created.id}`)
      .send({ config: { additional_data: { padding: 'x'.repeat(LIMIT) } } });
    expectErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
    expect((await http(app).get(`${API}/${created.id}`)).body.version).toBe(1);
  });

  it('a chunked body over 64 KiB (no Content-Length): 413 PAYLOAD_TOO_LARGE', async () => {
    const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
    const json = registerJsonOfSize(LIMIT * 2);
    const res = await new Promise<{ status: number; text: string; body: unknown }>(
      (resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: API,
            headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status: response.statusCode ?? 0, text, body: JSON.parse(text) });
            });
          },
        );
        // The server may answer and close before everything is sent.
        req.on('error', reject);
        for (let i = 0; i < json.length; i += 8192) req.write(json.slice(i, i + 8192));
        req.end();
      },
    );
    expectErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it.each(['/api/v1/nope', '/api/v1/platforms/x/y/z', '/nope', '/api/v2/platforms'])(
    'an unknown route (%s): 404 with the error body',
    async (path) => {
      const res = await http(app).get(path);
      const error = expectErrorBody(res, 404, 'NOT_FOUND');
      expect(error.error).toBe('Not Found');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    },
  );

  it('an unsupported method on a known path: 404 with the error body', async () => {
    const res = await http(app).delete(`${API}/${UNKNOWN_ID}`);
    expectErrorBody(res, 404);
  });

  it.each([
    ['__proto__', '{"is_active":false}'],
    ['constructor', '"x"'],
    ['toString', '"x"'],
  ])('an unknown top-level member named %j: 400, not silently dropped', async (name, value) => {
    const res = await http(app)
      .post(API)
      .set('Content-Type', 'application/json')
      .send(
        `{"tenant_id":"${newTenantId()}","service_name":"outlook",` +
          `"config":{${OUTLOOK_CONFIG_MEMBERS}},"${name}":${value}}`,
      );
    expectErrorBody(res, 400);
  });

  it('every ETag the API sends is "<version>": answers without a version carry none', async () => {
    const tenant = newTenantId();
    const created = await http(app)
      .post(API)
      .send({
        tenant_id: tenant,
        service_name: 'outlook',
        config: validConfig('outlook'),
      });
    expect(created.status).toBe(201);
    const id: string = created.body.platform.id;
    const answers = {
      register: created,
      list: await http(app).get(API).query({ tenant_id: tenant }),
      deactivate: await http(app).post(`${API}/${id}/deactivate`),
      notFound: await http(app).get(`${API}/${UNKNOWN_ID}`),
      badRequest: await http(app).get(`${API}/not-a-uuid`),
    };
    const etags = Object.fromEntries(
      Object.entries(answers).map(([name, res]) => [name, res.headers.etag]),
    );
    // `register` and `deactivate` may carry the version they show, nothing else.
    expect(etags).toEqual({
      register: etags.register === undefined ? undefined : '"1"',
      list: undefined,
      deactivate: etags.deactivate === undefined ? undefined : '"2"',
      notFound: undefined,
      badRequest: undefined,
    });
  });
});
