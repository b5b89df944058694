import type { INestApplication } from '@nestjs/common';
import { PlatformCredentialsResolver } from '../../src/service-platform';
import {
  canarySecret,
  guidOf,
  newTenantId,
  OUTLOOK_CLIENT_ID,
  validConfig,
} from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import {
  API,
  MASK,
  UNKNOWN_ID,
  expectErrorBody,
  expectNoSecret,
  expectPlatformResponse,
  fieldsOf,
  http,
  registerPlatform,
  startListeningApp,
  type Registered,
} from './e2e-helpers';

describe.each(PLATFORMS)('PUT /api/v1/platforms/:platform_id (%s)', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startListeningApp(platform);
  });
  afterAll(async () => {
    await app?.close();
  });

  const register = (): Promise<Registered> => registerPlatform(app, newTenantId());
  const put = (id: string, body: unknown, ifMatch?: string) => {
    const req = http(app).put(`${API}/${id}`);
    if (ifMatch !== undefined) req.set('If-Match', ifMatch);
    return req.send(body as object);
  };
  const get = (id: string) => http(app).get(`${API}/${id}`);

  it('changes client_id alone: the other fields, the secret included, keep their values', async () => {
    const { platform: created, secret } = await register();

    const res = await put(created.id, { config: { client_id: guidOf('client-456') } });

    expect(res.status).toBe(200);
    expectPlatformResponse(res.body);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body).toEqual({
      ...created,
      config: { ...created.config, client_id: guidOf('client-456'), client_secret: MASK },
      version: 2,
      updated_at: expect.any(String),
    });
    expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    expectNoSecret(res, secret);

    // The stored secret did not change: sending it again is a no-op (no new version),
    // while a different one is a change.
    const same = await put(created.id, { config: { client_secret: secret } });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(2);
    expectNoSecret(same, secret);
    const rotated = canarySecret('rotated');
    const changed = await put(created.id, { config: { client_secret: rotated } });
    expect(changed.status).toBe(200);
    expect(changed.body.version).toBe(3);
    expect(changed.body.config.client_secret).toBe(MASK);
    expectNoSecret(changed, secret, rotated);

    const got = await get(created.id);
    expect(got.body).toEqual(changed.body);
    expect(got.headers.etag).toBe('"3"');
  });

  it('merges additional_data keys; a null value removes a key', async () => {
    const { platform: created } = await register();
    expect(created.config.additional_data).toEqual({
      redirect_uri: 'https://app.example.com/callback',
      refresh_token: MASK,
    });
    const token = canarySecret('access-token');

    const res = await put(created.id, {
      config: {
        additional_data: {
          redirect_uri: null,
          mailbox: 'shared@contoso.onmicrosoft.com',
          scope: 'mail.read',
          access_token: token,
        },
      },
    });

    expect(res.status).toBe(200);
    // mailbox is declared public by outlook; scope and access_token are not: secrets.
    expect(res.body.config.additional_data).toEqual({
      refresh_token: MASK,
      mailbox: 'shared@contoso.onmicrosoft.com',
      scope: MASK,
      access_token: MASK,
    });
    expect(res.body.config.client_id).toBe(OUTLOOK_CLIENT_ID);
    expect(res.body.config.tenant_id).toBe('contoso.onmicrosoft.com');
    expect(res.body.version).toBe(2);
    expectNoSecret(res, token);
    expect((await get(created.id)).body.config.additional_data).toEqual(
      res.body.config.additional_data,
    );
  });

  it('additional_data: null removes the whole object', async () => {
    const { platform: created } = await register();
    const res = await put(created.id, { config: { additional_data: null } });
    expect(res.status).toBe(200);
    expect(res.body.config).toEqual({
      client_id: OUTLOOK_CLIENT_ID,
      client_secret: MASK,
      tenant_id: 'contoso.onmicrosoft.com',
    });
    expect(res.body.version).toBe(2);
  });

  it('tenant_id: null removes the provider tenant; a new one replaces it', async () => {
    // Salesforce's org id (its tenant_id) is optional and public.
    const { platform: created } = await registerPlatform(app, newTenantId(), {
      service_name: 'salesforce',
      config: validConfig('salesforce', { tenant_id: '00D5g000004SxYz' }),
    });
    expect(created.config.tenant_id).toBe('00D5g000004SxYz');
    const removed = await put(created.id, { config: { tenant_id: null } });
    expect(removed.status).toBe(200);
    expect(removed.body.config).not.toHaveProperty('tenant_id');
    expect(removed.body.version).toBe(2);
    expect((await get(created.id)).body.config).not.toHaveProperty('tenant_id');

    const set = await put(created.id, { config: { tenant_id: '00D5g000004AbCdEAK' } });
    expect(set.status).toBe(200);
    expect(set.body.config.tenant_id).toBe('00D5g000004AbCdEAK');
    expect(set.body.version).toBe(3);
  });

  it('tenant_id: null on a service that requires it: 400 INVALID_PLATFORM_CONFIG, nothing written', async () => {
    const { platform: created } = await register(); // outlook requires the directory (tenant) id
    const res = await put(created.id, { config: { tenant_id: null } });
    const error = expectErrorBody(res, 400, 'INVALID_PLATFORM_CONFIG');
    expect(fieldsOf(error)).toEqual(['config.tenant_id']);
    expect((await get(created.id)).body).toEqual(created);
  });

  it('an empty update answers 200 and writes nothing (same version, same updated_at)', async () => {
    const { platform: created } = await register();
    const res = await put(created.id, { config: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
    expect(res.headers.etag).toBe('"1"');
  });

  it('an update to the current values answers 200 and writes nothing', async () => {
    const { platform: created } = await register();
    const res = await put(created.id, {
      config: {
        client_id: OUTLOOK_CLIENT_ID,
        tenant_id: 'contoso.onmicrosoft.com',
        additional_data: { redirect_uri: 'https://app.example.com/callback' },
      },
      version: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
    expect(res.headers.etag).toBe('"1"');
  });

  it('a stale body version: 412 VERSION_CONFLICT and nothing written', async () => {
    const { platform: created, secret } = await register();
    expect((await put(created.id, { config: { client_id: guidOf('v2') } })).status).toBe(200);
    const rotated = canarySecret('stale');

    const res = await put(created.id, {
      config: { client_id: guidOf('stale-write'), client_secret: rotated },
      version: 1,
    });

    const error = expectErrorBody(res, 412, 'VERSION_CONFLICT');
    expect(error.error).toBe('Precondition Failed');
    expectNoSecret(res, secret, rotated);
    const got = await get(created.id);
    expect(got.body.config.client_id).toBe(guidOf('v2'));
    expect(got.body.version).toBe(2);
    // The secret was not rotated either: sending the old one is still a no-op.
    const same = await put(created.id, { config: { client_secret: secret } });
    expect(same.body.version).toBe(2);
  });

  it('a stale If-Match: 412 VERSION_CONFLICT and nothing written', async () => {
    const { platform: created } = await register();
    expect((await put(created.id, { config: { client_id: guidOf('v2') } })).status).toBe(200);

    const res = await put(created.id, { config: { client_id: guidOf('stale-write') } }, '"1"');

    expectErrorBody(res, 412, 'VERSION_CONFLICT');
    const got = await get(created.id);
    expect(got.body.config.client_id).toBe(guidOf('v2'));
    expect(got.body.version).toBe(2);
  });

  it('a matching If-Match: 200 and the new ETag', async () => {
    const { platform: created } = await register();
    const first = await put(created.id, { config: { client_id: guidOf('v2') } }, '"1"');
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    expect(first.body.version).toBe(2);

    // The ETag of the answer is what the next change is based on.
    const second = await put(
      created.id,
      { config: { client_id: guidOf('v3') } },
      first.headers.etag,
    );
    expect(second.status).toBe(200);
    expect(second.headers.etag).toBe('"3"');
    expect(second.body.config.client_id).toBe(guidOf('v3'));
  });

  it('If-Match and body version that agree are accepted; If-Match: * means any version', async () => {
    const { platform: created } = await register();
    const both = await put(created.id, { config: { client_id: guidOf('v2') }, version: 1 }, '"1"');
    expect(both.status).toBe(200);
    expect(both.body.version).toBe(2);
    const any = await put(created.id, { config: { client_id: guidOf('v3') } }, '*');
    expect(any.status).toBe(200);
    expect(any.body.version).toBe(3);
  });

  it('two concurrent updates based on the same version: one 200, one 412', async () => {
    const { platform: created } = await register();
    const [a, b] = await Promise.all([
      put(created.id, { config: { client_id: guidOf('writer-a') } }, '"1"'),
      put(created.id, { config: { client_id: guidOf('writer-b') } }, '"1"'),
    ]);
    expect([a?.status, b?.status].sort()).toEqual([200, 412]);
    const winner = a?.status === 200 ? a : b;
    const got = await get(created.id);
    expect(got.body.version).toBe(2);
    expect(got.body.config.client_id).toBe(winner?.body.config.client_id);
  });

  it('concurrent updates without a version all succeed and none is lost (no 412)', async () => {
    const { platform: created } = await register();
    const writers = 20;
    const answers = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        put(created.id, { config: { additional_data: { [`setting_${i}`]: i } } }),
      ),
    );
    // No version was given: the contract's 412 is only for a stale version the client sent.
    expect(answers.map((res) => res.status)).toEqual(Array(writers).fill(200));
    const got = await get(created.id);
    expect(got.body.version).toBe(1 + writers);
    // Not declared by outlook, so masked in answers; the stored values are all there.
    const stored = await app.get(PlatformCredentialsResolver).resolve(created.tenant_id, 'outlook');
    for (let i = 0; i < writers; i++) {
      expect(got.body.config.additional_data[`setting_${i}`]).toBe(MASK);
      expect(stored.config.additional_data?.[`setting_${i}`]).toBe(i);
    }
  });

  it('removing the last additional_data keys removes additional_data', async () => {
    const { platform: created } = await register();
    const res = await put(created.id, {
      config: { additional_data: { redirect_uri: null, refresh_token: null } },
    });
    expect(res.status).toBe(200);
    expect(res.body.config).not.toHaveProperty('additional_data');
    expect(res.body.version).toBe(2);
  });

  it.each(['abc', '"abc"', '"1', '"-1"', '"1", "2"'])(
    'a malformed If-Match %j: 400 VALIDATION_FAILED',
    async (ifMatch) => {
      const { platform: created } = await register();
      const res = await put(created.id, { config: { client_id: guidOf('x') } }, ifMatch);
      const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(error)).toEqual(['If-Match']);
      expect((await get(created.id)).body.version).toBe(1);
    },
  );

  it('If-Match and body version that disagree: 400 VALIDATION_FAILED', async () => {
    const { platform: created } = await register();
    const res = await put(created.id, { config: { client_id: guidOf('x') }, version: 2 }, '"1"');
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error)).toEqual(['version']);
    expect((await get(created.id)).body.version).toBe(1);
  });

  it.each([
    ['config.client_secret ""', { config: { client_secret: '' } }, 'config.client_secret'],
    ['config.client_secret null', { config: { client_secret: null } }, 'config.client_secret'],
    ['config.client_id ""', { config: { client_id: '' } }, 'config.client_id'],
    ['config.client_id a number', { config: { client_id: 7 } }, 'config.client_id'],
    [
      'config.additional_data a string',
      { config: { additional_data: 'x' } },
      'config.additional_data',
    ],
    ['an unknown config field', { config: { scope: 'x' } }, 'config.scope'],
  ])('%s: 400 INVALID_PLATFORM_CONFIG', async (_name, body, field) => {
    const { platform: created } = await register();
    const res = await put(created.id, body);
    const error = expectErrorBody(res, 400, 'INVALID_PLATFORM_CONFIG');
    expect(fieldsOf(error)).toEqual([field]);
    expect((await get(created.id)).body).toEqual(created);
  });

  it.each([
    [
      'an unknown top-level field',
      { config: { client_id: guidOf('x') }, is_active: false },
      'is_active',
    ],
    ['config missing', { client_id: guidOf('x') }, 'client_id'],
    ['version 0', { config: { client_id: guidOf('x') }, version: 0 }, 'version'],
    ['version a string', { config: { client_id: guidOf('x') }, version: '1' }, 'version'],
    ['version a fraction', { config: { client_id: guidOf('x') }, version: 1.5 }, 'version'],
  ])('%s: 400 VALIDATION_FAILED', async (_name, body, field) => {
    const { platform: created } = await register();
    const res = await put(created.id, body);
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error)).toContain(field);
    expect((await get(created.id)).body).toEqual(created);
  });

  it('404 PLATFORM_NOT_FOUND for an unknown id', async () => {
    const res = await put(UNKNOWN_ID, { config: { client_id: guidOf('x') } });
    const error = expectErrorBody(res, 404, 'PLATFORM_NOT_FOUND');
    expect(error.details).toEqual([]);
  });

  it('400 VALIDATION_FAILED for an id that is not a UUID', async () => {
    const res = await put('not-a-uuid', { config: { client_id: guidOf('x') } });
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error)).toEqual(['platform_id']);
  });

  it('updates a deactivated platform without activating it', async () => {
    const { platform: created } = await register();
    expect((await http(app).post(`${API}/${created.id}/deactivate`)).status).toBe(200);
    const res = await put(created.id, { config: { client_id: guidOf('while-off') } }, '"2"');
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(false);
    expect(res.body.version).toBe(3);
  });
});
