import type { INestApplication } from '@nestjs/common';
import { newTenantId } from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import {
  API,
  UNKNOWN_ID,
  expectChangeResponse,
  expectErrorBody,
  expectNoSecret,
  fieldsOf,
  http,
  registerPlatform,
  startListeningApp,
} from './e2e-helpers';

describe.each(PLATFORMS)('POST /api/v1/platforms/:id/deactivate|activate (%s)', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startListeningApp(platform);
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (id: string, action: 'deactivate' | 'activate') =>
    http(app).post(`${API}/${id}/${action}`);

  it('deactivate: 200 {platform, success, message}, is_active false, version bumped', async () => {
    const { platform: created, secret } = await registerPlatform(app, newTenantId());

    const res = await post(created.id, 'deactivate');

    expect(res.status).toBe(200);
    const off = expectChangeResponse(res.body);
    expect(off).toEqual({
      ...created,
      is_active: false,
      version: 2,
      updated_at: expect.any(String),
    });
    expect(Date.parse(off.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));
    expect(res.body.message).toMatch(/deactivated/i);
    expectNoSecret(res, secret);

    const got = await http(app).get(`${API}/${created.id}`);
    expect(got.body).toEqual(off);
  });

  it('deactivate is idempotent: a second call answers 200 and changes nothing', async () => {
    const { platform: created } = await registerPlatform(app, newTenantId());
    const first = await post(created.id, 'deactivate');
    const second = await post(created.id, 'deactivate');

    expect(second.status).toBe(200);
    const again = expectChangeResponse(second.body);
    expect(again).toEqual(first.body.platform);
    expect(again.version).toBe(2);
    expect(again.is_active).toBe(false);
  });

  it('activate: 200 {platform, success, message}, is_active true again, version bumped', async () => {
    const { platform: created, secret } = await registerPlatform(app, newTenantId());
    await post(created.id, 'deactivate');

    const res = await post(created.id, 'activate');

    expect(res.status).toBe(200);
    const on = expectChangeResponse(res.body);
    expect(on).toEqual({ ...created, is_active: true, version: 3, updated_at: expect.any(String) });
    expect(res.body.message).toMatch(/activated/i);
    expectNoSecret(res, secret);
    expect((await http(app).get(`${API}/${created.id}`)).body).toEqual(on);
  });

  it('activate is idempotent: on an active platform it answers 200 and changes nothing', async () => {
    const { platform: created } = await registerPlatform(app, newTenantId());

    const res = await post(created.id, 'activate');

    expect(res.status).toBe(200);
    expect(expectChangeResponse(res.body)).toEqual(created);
    const twice = await post(created.id, 'activate');
    expect(twice.status).toBe(200);
    expect(twice.body.platform.version).toBe(1);
  });

  it('concurrent deactivations bump the version once', async () => {
    const { platform: created } = await registerPlatform(app, newTenantId());
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(created.id, 'deactivate')),
    );
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body.platform.is_active).toBe(false);
      expect(res.body.platform.version).toBe(2);
    }
    expect(answers.filter((res) => /already/i.test(res.body.message))).toHaveLength(4);
  });

  it('the configuration survives a deactivate/activate cycle', async () => {
    const { platform: created } = await registerPlatform(app, newTenantId());
    await post(created.id, 'deactivate');
    const on = await post(created.id, 'activate');
    expect(on.body.platform.config).toEqual(created.config);
    expect(on.body.platform.created_at).toBe(created.created_at);
  });

  it.each(['deactivate', 'activate'] as const)(
    '%s: 404 PLATFORM_NOT_FOUND for an unknown id',
    async (action) => {
      const res = await post(UNKNOWN_ID, action);
      const error = expectErrorBody(res, 404, 'PLATFORM_NOT_FOUND');
      expect(error.details).toEqual([]);
    },
  );

  it.each(['deactivate', 'activate'] as const)(
    '%s: 400 VALIDATION_FAILED for an id that is not a UUID',
    async (action) => {
      const res = await post('not-a-uuid', action);
      const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(error)).toEqual(['platform_id']);
    },
  );
});
