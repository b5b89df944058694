import type { INestApplication } from '@nestjs/common';
import type { Client } from 'pg';
import { PlatformCredentialsResolver } from '../../src/service-platform';
import {
  canarySecret,
  GOOGLE_CLIENT_ID,
  guidOf,
  newTenantId,
  OUTLOOK_CLIENT_ID,
  registerBody,
  validConfig,
} from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import {
  API,
  MASK,
  connectDatabase,
  expectChangeResponse,
  expectErrorBody,
  expectNoSecret,
  fieldsOf,
  http,
  registerPlatform,
  startListeningApp,
} from './e2e-helpers';

type Body = Record<string, unknown>;
/** Changes a valid body: `b` is the body, `c` its `config`. */
type Mutation = (b: Body, c: Body) => void;

/** A valid register body with a fresh canary secret, changed by `mutate`. */
function bodyWith(tenantId: string, mutate: Mutation): { body: Body; secret: string } {
  const secret = canarySecret();
  const config: Body = {
    client_id: OUTLOOK_CLIENT_ID,
    client_secret: secret,
    tenant_id: 'contoso.onmicrosoft.com',
    additional_data: { redirect_uri: 'https://app.example.com/callback' },
  };
  const body: Body = registerBody(tenantId, { config });
  mutate(body, config);
  return { body, secret };
}

interface InvalidCase {
  name: string;
  mutate: Mutation;
  field: string;
  code: 'VALIDATION_FAILED' | 'INVALID_PLATFORM_CONFIG';
}

const INVALID: InvalidCase[] = [
  {
    name: 'tenant_id missing',
    mutate: (b) => delete b.tenant_id,
    field: 'tenant_id',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'tenant_id not a UUID',
    mutate: (b) => (b.tenant_id = 'tenant-1'),
    field: 'tenant_id',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'tenant_id a number',
    mutate: (b) => (b.tenant_id = 42),
    field: 'tenant_id',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'service_name missing',
    mutate: (b) => delete b.service_name,
    field: 'service_name',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'service_name upper-case',
    mutate: (b) => (b.service_name = 'Outlook'),
    field: 'service_name',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'service_name of 65 characters',
    mutate: (b) => (b.service_name = `a${'b'.repeat(64)}`),
    field: 'service_name',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'service_name starting with a digit',
    mutate: (b) => (b.service_name = '1outlook'),
    field: 'service_name',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'service_name empty',
    mutate: (b) => (b.service_name = ''),
    field: 'service_name',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'config missing',
    mutate: (b) => delete b.config,
    field: 'config',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'config null',
    mutate: (b) => (b.config = null),
    field: 'config',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'config.client_id missing',
    mutate: (_b, c) => delete c.client_id,
    field: 'config.client_id',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.client_id empty',
    mutate: (_b, c) => (c.client_id = ''),
    field: 'config.client_id',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.client_id not a string',
    mutate: (_b, c) => (c.client_id = 12345),
    field: 'config.client_id',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.client_secret missing',
    mutate: (_b, c) => delete c.client_secret,
    field: 'config.client_secret',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.client_secret empty',
    mutate: (_b, c) => (c.client_secret = ''),
    field: 'config.client_secret',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.client_secret only blanks',
    mutate: (_b, c) => (c.client_secret = '   '),
    field: 'config.client_secret',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.additional_data a string',
    mutate: (_b, c) => (c.additional_data = 'redirect=https://x'),
    field: 'config.additional_data',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.additional_data an array',
    mutate: (_b, c) => (c.additional_data = ['a', 'b']),
    field: 'config.additional_data',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.client_id over 512 characters',
    mutate: (_b, c) => (c.client_id = 'i'.repeat(513)),
    field: 'config.client_id',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.client_secret over 8192 characters',
    mutate: (_b, c) => (c.client_secret = 's'.repeat(8193)),
    field: 'config.client_secret',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.tenant_id not a string',
    mutate: (_b, c) => (c.tenant_id = 42),
    field: 'config.tenant_id',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.additional_data nested deeper than 8 levels',
    mutate: (_b, c) =>
      (c.additional_data = { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }),
    field: 'config.additional_data',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'config.additional_data with a key over 128 characters',
    mutate: (_b, c) => (c.additional_data = { ['k'.repeat(129)]: 1 }),
    field: 'config.additional_data',
    code: 'INVALID_PLATFORM_CONFIG',
  },
  {
    name: 'unknown top-level field',
    mutate: (b) => (b.is_active = false),
    field: 'is_active',
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'unknown config field',
    mutate: (_b, c) => (c.scope = 'mail.read'),
    field: 'config.scope',
    code: 'INVALID_PLATFORM_CONFIG',
  },
];

describe.each(PLATFORMS)('POST /api/v1/platforms (%s)', (platform) => {
  let app: INestApplication;
  let db: Client;

  beforeAll(async () => {
    app = await startListeningApp(platform);
    db = await connectDatabase();
  });
  afterAll(async () => {
    await db?.end();
    await app?.close();
  });

  async function rowCount(tenantId: string): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM service_platforms WHERE tenant_id = $1',
      [tenantId],
    );
    return rows[0]?.n ?? -1;
  }

  it('registers a platform: 201 {platform, success: true, message}, secrets masked', async () => {
    const tenant = newTenantId();
    const secret = canarySecret();
    const res = await http(app)
      .post(API)
      .send({
        tenant_id: tenant,
        service_name: 'outlook',
        config: {
          client_id: OUTLOOK_CLIENT_ID,
          client_secret: secret,
          tenant_id: 'contoso.onmicrosoft.com',
          additional_data: { redirect_uri: 'https://app.example.com/callback' },
        },
      });

    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const created = expectChangeResponse(res.body);
    expect(created).toEqual({
      id: expect.any(String),
      tenant_id: tenant,
      service_name: 'outlook',
      config: {
        client_id: OUTLOOK_CLIENT_ID,
        client_secret: MASK,
        tenant_id: 'contoso.onmicrosoft.com',
        additional_data: { redirect_uri: 'https://app.example.com/callback' },
      },
      is_active: true,
      version: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(created.updated_at).toBe(created.created_at);
    expect(Math.abs(Date.parse(created.created_at) - Date.now())).toBeLessThan(60_000);
    expectNoSecret(res, secret);
    expect(await rowCount(tenant)).toBe(1);
  });

  it('accepts the minimal configuration (client_id and client_secret only)', async () => {
    const tenant = newTenantId();
    const secret = canarySecret();
    const res = await http(app)
      .post(API)
      .send({
        tenant_id: tenant,
        service_name: 'gmail',
        config: { client_id: GOOGLE_CLIENT_ID, client_secret: secret },
      });
    expect(res.status).toBe(201);
    expect(expectChangeResponse(res.body).config).toEqual({
      client_id: GOOGLE_CLIENT_ID,
      client_secret: MASK,
    });
    expectNoSecret(res, secret);
  });

  it('masks every additional_data key the service does not declare public, nested ones whole', async () => {
    const tenant = newTenantId();
    const secrets = {
      access: canarySecret('access'),
      refresh: canarySecret('refresh'),
      api: canarySecret('api'),
      password: canarySecret('password'),
      nested: canarySecret('nested'),
      listed: canarySecret('listed'),
    };
    const res = await http(app)
      .post(API)
      .send({
        tenant_id: tenant,
        service_name: 'whatsapp',
        config: validConfig('whatsapp', {
          additional_data: {
            // Declared by whatsapp: access_token secret, the ids and the number public.
            access_token: secrets.access,
            display_phone_number: '+15551234567',
            // Not declared: secrets whatever their names, objects and lists masked whole.
            redirect_uri: 'https://app.example.com/callback',
            region: 'eu',
            refresh_token: secrets.refresh,
            api_key: secrets.api,
            password: secrets.password,
            webhook: { url: 'https://hooks.example.com', signing_key: secrets.nested },
            accounts: [{ name: 'main', access_token: secrets.listed }],
          },
        }),
      });
    expect(res.status).toBe(201);
    expect(res.body.platform.config.additional_data).toEqual({
      access_token: MASK,
      phone_number_id: '106540352242922',
      waba_id: '102290129340398',
      display_phone_number: '+15551234567',
      redirect_uri: MASK,
      region: MASK,
      refresh_token: MASK,
      api_key: MASK,
      password: MASK,
      webhook: MASK,
      accounts: MASK,
    });
    expectNoSecret(res, ...Object.values(secrets));
    expect(res.text).not.toContain('hooks.example.com');
    expect(res.text).not.toContain('app.example.com');
  });

  it('stores additional_data verbatim, keys named like Object methods included', async () => {
    const tenant = newTenantId();
    const additional = {
      toString: 'plain-text',
      valueOf: 1,
      hasOwnProperty: true,
      scope: 'mail.read',
    };
    const res = await http(app)
      .post(API)
      .send({
        tenant_id: tenant,
        service_name: 'outlook',
        config: validConfig('outlook', { additional_data: additional }),
      });
    // Either stored as sent or refused; never accepted with keys silently dropped.
    expect(res.status).toBe(201);
    // Not declared by outlook: every key is there, each value masked.
    const masked = { toString: MASK, valueOf: MASK, hasOwnProperty: MASK, scope: MASK };
    expect(res.body.platform.config.additional_data).toEqual(masked);
    const got = await http(app).get(`${API}/${res.body.platform.id}`);
    expect(got.body.config.additional_data).toEqual(masked);
    // The stored values, as the module's own callers get them.
    const resolved = await app.get(PlatformCredentialsResolver).resolve(tenant, 'outlook');
    expect(resolved.config.additional_data).toEqual(additional);
  });

  it.each(['constructor', '__proto__', 'prototype'])(
    'refuses the reserved key %j in additional_data (400), at any depth',
    async (key) => {
      for (const additional of [`{"${key}":"x"}`, `{"nested":{"${key}":{"a":1}}}`]) {
        const res = await http(app)
          .post(API)
          .set('Content-Type', 'application/json')
          .send(
            `{"tenant_id":"${newTenantId()}","service_name":"outlook",` +
              `"config":{"client_id":"${OUTLOOK_CLIENT_ID}","client_secret":"b",` +
              `"tenant_id":"contoso.onmicrosoft.com","additional_data":${additional}}}`,
          );
        expect(res.status).toBe(400);
        expect(['INVALID_PLATFORM_CONFIG', 'VALIDATION_FAILED']).toContain(res.body.code);
      }
    },
  );

  it.each(INVALID)('400 when $name', async ({ mutate, field, code }) => {
    const tenant = newTenantId();
    const { body, secret } = bodyWith(tenant, mutate);
    const res = await http(app).post(API).send(body);

    const error = expectErrorBody(res, 400, code);
    expect(error.error).toBe('Bad Request');
    expect(fieldsOf(error)).toEqual([field]);
    expect(error.message).toContain(field);
    expectNoSecret(res, secret);
    expect(await rowCount(tenant)).toBe(0);
  });

  it('400 names every invalid field at once', async () => {
    const res = await http(app)
      .post(API)
      .send({ tenant_id: 'x', service_name: 'Bad Name', config: { client_id: 'cid' } });
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error).sort()).toEqual(['config.client_secret', 'service_name', 'tenant_id']);
  });

  it('400 does not echo a secret sent under an unknown config field', async () => {
    const leaked = canarySecret('unknown-field');
    const res = await http(app)
      .post(API)
      .send({
        tenant_id: newTenantId(),
        service_name: 'outlook',
        config: { ...validConfig('outlook'), password: leaked },
      });
    const error = expectErrorBody(res, 400, 'INVALID_PLATFORM_CONFIG');
    expect(fieldsOf(error)).toEqual(['config.password']);
    expectNoSecret(res, leaked);
  });

  it('409 PLATFORM_ALREADY_EXISTS for a second registration of the same service', async () => {
    const tenant = newTenantId();
    const first = await registerPlatform(app, tenant, { service_name: 'outlook' });
    const secret = canarySecret('duplicate');
    const res = await http(app)
      .post(API)
      .send(
        registerBody(tenant, {
          service_name: 'outlook',
          config: validConfig('outlook', {
            client_id: guidOf('other-client'),
            client_secret: secret,
          }),
        }),
      );

    const error = expectErrorBody(res, 409, 'PLATFORM_ALREADY_EXISTS');
    expect(error.error).toBe('Conflict');
    expect(error.details).toEqual([]);
    expect(error.message).toBe('The tenant already has a platform for this service');
    expectNoSecret(res, secret, first.secret);

    // Nothing was written: the first registration is intact.
    const got = await http(app).get(`${API}/${first.platform.id}`);
    expect(got.status).toBe(200);
    expect(got.body.config.client_id).toBe(OUTLOOK_CLIENT_ID);
    expect(got.body.version).toBe(1);
    expect(await rowCount(tenant)).toBe(1);
  });

  it('the same service for another tenant, and another service for the same tenant, are fine', async () => {
    const tenant = newTenantId();
    await registerPlatform(app, tenant, { service_name: 'outlook' });
    const other = await registerPlatform(app, newTenantId(), { service_name: 'outlook' });
    const gmail = await registerPlatform(app, tenant, { service_name: 'gmail' });
    expect(other.platform.service_name).toBe('outlook');
    expect(gmail.platform.tenant_id).toBe(tenant);
    expect(await rowCount(tenant)).toBe(2);
  });

  it('a tenant_id spelled in upper case is stored lower-case and still holds the slot', async () => {
    const tenant = newTenantId();
    const res = await http(app)
      .post(API)
      .send(registerBody(tenant.toUpperCase(), { service_name: 'outlook' }));
    expect(res.status).toBe(201);
    expect(res.body.platform.tenant_id).toBe(tenant);

    const again = await http(app)
      .post(API)
      .send(registerBody(tenant, { service_name: 'outlook' }));
    expectErrorBody(again, 409, 'PLATFORM_ALREADY_EXISTS');
    expect(await rowCount(tenant)).toBe(1);
  });

  it('409 for a deactivated platform, saying it is inactive and can be activated', async () => {
    const tenant = newTenantId();
    const { platform: created } = await registerPlatform(app, tenant, { service_name: 'gmail' });
    const off = await http(app).post(`${API}/${created.id}/deactivate`);
    expect(off.status).toBe(200);

    const res = await http(app)
      .post(API)
      .send(registerBody(tenant, { service_name: 'gmail', config: validConfig('gmail') }));
    const error = expectErrorBody(res, 409, 'PLATFORM_ALREADY_EXISTS');
    expect(error.message).toMatch(/inactive/i);
    expect(error.message).toMatch(/activate/i);
    expect(await rowCount(tenant)).toBe(1);

    const got = await http(app).get(`${API}/${created.id}`);
    expect(got.body.is_active).toBe(false);
  });

  it('20 concurrent registrations of one service: exactly one 201, nineteen 409, one row', async () => {
    const tenant = newTenantId();
    const secrets = Array.from({ length: 20 }, (_, i) => canarySecret(`race-${i}`));
    const responses = await Promise.all(
      secrets.map((secret, i) =>
        http(app)
          .post(API)
          .send(
            registerBody(tenant, {
              service_name: 'outlook',
              config: validConfig('outlook', {
                client_id: guidOf(`client-${i}`),
                client_secret: secret,
              }),
            }),
          ),
      ),
    );

    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const res of responses) {
      if (res.status === 409) expectErrorBody(res, 409, 'PLATFORM_ALREADY_EXISTS');
      expectNoSecret(res, ...secrets);
    }
    expect(await rowCount(tenant)).toBe(1);

    // The stored platform is the winner's.
    const winner = responses.find((res) => res.status === 201);
    const list = await http(app).get(API).query({ tenant_id: tenant });
    expect(list.body.platforms).toHaveLength(1);
    expect(list.body.platforms[0]).toEqual(winner?.body.platform);
  });
});
