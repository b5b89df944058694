import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { PLATFORMS, startTestApp } from '../support/test-app';
import { newTenantId, registerBody } from '../support/fixtures';

describe.each(PLATFORMS)('smoke (%s)', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startTestApp(platform);
  });
  afterAll(async () => {
    await app.close();
  });

  it('registers and reads back', async () => {
    const tenant = newTenantId();
    const created = await request(app.getHttpServer())
      .post('/api/v1/platforms')
      .send(registerBody(tenant));
    expect(created.status).toBe(201);
    const got = await request(app.getHttpServer()).get(
      `/api/v1/platforms/${created.body.platform.id}`,
    );
    expect(got.status).toBe(200);
    expect(got.body.config.client_secret).toBe('********');
    expect(got.headers.etag).toBe('"1"');
  });
});
