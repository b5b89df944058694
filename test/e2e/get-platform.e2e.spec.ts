import type { INestApplication } from '@nestjs/common';
import { newTenantId, OUTLOOK_CLIENT_ID } from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import {
  API,
  MASK,
  PLATFORM_KEYS,
  UNKNOWN_ID,
  expectErrorBody,
  expectNoSecret,
  expectPlatformResponse,
  fieldsOf,
  http,
  registerPlatform,
  startListeningApp,
} from './e2e-helpers';

describe.each(PLATFORMS)('GET /api/v1/platforms/:platform_id (%s)', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startListeningApp(platform);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('200 with every PlatformResponse field, secrets masked, ETag "<version>"', async () => {
    const tenant = newTenantId();
    const { platform: created, secret } = await registerPlatform(app, tenant, {
      config: { additional_data: { redirect_uri: 'https://cb.example.com', api_key: 'k-1' } },
    });

    const res = await http(app).get(`${API}/${created.id}`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.etag).toBe('"1"');
    expect(Object.keys(res.body).sort()).toEqual(PLATFORM_KEYS);
    expectPlatformResponse(res.body);
    expect(res.body).toEqual({
      id: created.id,
      tenant_id: tenant,
      service_name: 'outlook',
      config: {
        client_id: OUTLOOK_CLIENT_ID,
        client_secret: MASK,
        tenant_id: 'contoso.onmicrosoft.com',
        additional_data: { redirect_uri: 'https://cb.example.com', api_key: MASK },
      },
      is_active: true,
      version: 1,
      created_at: created.created_at,
      updated_at: created.updated_at,
    });
    expectNoSecret(res, secret, 'k-1');
  });

  it('reads an id spelled in upper case', async () => {
    const { platform: created } = await registerPlatform(app, newTenantId());
    const res = await http(app).get(`${API}/${created.id.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(created.id);
  });

  it('reads a deactivated platform (is_active false, ETag of the new version)', async () => {
    const { platform: created, secret } = await registerPlatform(app, newTenantId());
    expect((await http(app).post(`${API}/${created.id}/deactivate`)).status).toBe(200);

    const res = await http(app).get(`${API}/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(false);
    expect(res.body.version).toBe(2);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body.config.client_secret).toBe(MASK);
    expectNoSecret(res, secret);
  });

  it.each(['not-a-uuid', '12345', '00000000-0000-4000-8000-00000000000g'])(
    '400 VALIDATION_FAILED for the id %j',
    async (id) => {
      const res = await http(app).get(`${API}/${id}`);
      const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(error)).toEqual(['platform_id']);
    },
  );

  it('404 PLATFORM_NOT_FOUND for an unknown UUID', async () => {
    const res = await http(app).get(`${API}/${UNKNOWN_ID}`);
    const error = expectErrorBody(res, 404, 'PLATFORM_NOT_FOUND');
    expect(error.error).toBe('Not Found');
    expect(error.details).toEqual([]);
  });
});
