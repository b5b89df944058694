import type { INestApplication } from '@nestjs/common';
import { BUILT_IN_SERVICE_NAMES, canarySecret, newTenantId } from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import {
  API,
  MASK,
  expectErrorBody,
  expectNoSecret,
  expectPlatformResponse,
  fieldsOf,
  http,
  idsOf,
  registerPlatform,
  type ListJson,
  startListeningApp,
} from './e2e-helpers';

describe.each(PLATFORMS)('GET /api/v1/platforms (%s)', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startListeningApp(platform);
  });
  afterAll(async () => {
    await app?.close();
  });

  const list = (query: Record<string, string | number | boolean>) =>
    http(app).get(API).query(query);

  /** Registers the services one after the other (registration order = this order). */
  async function registerAll(tenant: string, services: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const service_name of services) {
      ids.push((await registerPlatform(app, tenant, { service_name })).platform.id);
    }
    return ids;
  }

  /** Follows next_cursor to the end; returns the ids in the order they came. */
  async function walk(query: Record<string, string | number | boolean>): Promise<{
    ids: string[];
    pages: number[];
  }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res = await list({ ...query, ...(cursor !== null && { cursor }) });
      expect(res.status).toBe(200);
      ids.push(...idsOf(res));
      pages.push(res.body.platforms.length);
      cursor = res.body.next_cursor;
      if (cursor === null) return { ids, pages };
      expect(typeof cursor).toBe('string');
    }
    throw new Error('pagination did not end');
  }

  it('{platforms, next_cursor}: the tenant’s platforms in registration order, masked', async () => {
    const tenant = newTenantId();
    const secret = canarySecret('list');
    const outlook = await registerPlatform(app, tenant, {
      service_name: 'outlook',
      config: { client_secret: secret, additional_data: { password: 'p4ss' } },
    });
    const gmail = await registerPlatform(app, tenant, { service_name: 'gmail' });

    const res = await list({ tenant_id: tenant });

    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['next_cursor', 'platforms']);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.platforms).toEqual([outlook.platform, gmail.platform]);
    for (const item of res.body.platforms) expectPlatformResponse(item);
    expect(res.body.platforms[0].config.additional_data.password).toBe(MASK);
    expectNoSecret(res, secret, outlook.secret, gmail.secret, 'p4ss');
  });

  it('an unknown tenant has an empty list', async () => {
    const res = await list({ tenant_id: newTenantId() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ platforms: [], next_cursor: null });
  });

  it('never shows another tenant’s platforms', async () => {
    const mine = newTenantId();
    const theirs = newTenantId();
    const myIds = await registerAll(mine, ['outlook', 'gmail']);
    const theirIds = await registerAll(theirs, ['outlook', 'slack']);

    const res = await list({ tenant_id: mine, limit: 200 });
    expect(idsOf(res)).toEqual(myIds);
    for (const item of res.body.platforms) expect(item.tenant_id).toBe(mine);
    const filtered = await list({ tenant_id: mine, service_name: 'slack' });
    expect(filtered.body.platforms).toEqual([]);
    const theirList = await list({ tenant_id: theirs });
    expect(idsOf(theirList)).toEqual(theirIds);
  });

  it('includes inactive platforms by default; is_active=true/false filters', async () => {
    const tenant = newTenantId();
    const [outlook, gmail, slack] = await registerAll(tenant, ['outlook', 'gmail', 'slack']);
    expect((await http(app).post(`${API}/${gmail}/deactivate`)).status).toBe(200);

    const all = await list({ tenant_id: tenant });
    expect(idsOf(all)).toEqual([outlook, gmail, slack]);
    expect((all.body as ListJson).platforms.map((p) => p.is_active)).toEqual([true, false, true]);
    const active = await list({ tenant_id: tenant, is_active: 'true' });
    expect(active.status).toBe(200);
    expect(idsOf(active)).toEqual([outlook, slack]);
    const inactive = await list({ tenant_id: tenant, is_active: 'false' });
    expect(inactive.status).toBe(200);
    expect(idsOf(inactive)).toEqual([gmail]);
  });

  it('filters by service_name (alone and with is_active)', async () => {
    const tenant = newTenantId();
    const [, gmail] = await registerAll(tenant, ['outlook', 'gmail']);
    const res = await list({ tenant_id: tenant, service_name: 'gmail' });
    expect(res.status).toBe(200);
    expect(idsOf(res)).toEqual([gmail]);
    const none = await list({ tenant_id: tenant, service_name: 'gmail', is_active: 'false' });
    expect(none.body).toEqual({ platforms: [], next_cursor: null });
    const unknown = await list({ tenant_id: tenant, service_name: 'teams' });
    expect(unknown.body).toEqual({ platforms: [], next_cursor: null });
  });

  it('cursor pagination walks every platform exactly once, in registration order', async () => {
    const tenant = newTenantId();
    const services = BUILT_IN_SERVICE_NAMES.slice(0, 7);
    const ids = await registerAll(tenant, services);

    const byThree = await walk({ tenant_id: tenant, limit: 3 });
    expect(byThree.ids).toEqual(ids);
    expect(byThree.pages).toEqual([3, 3, 1]);

    // An exact multiple of the page size ends without an empty extra page.
    const six = await walk({ tenant_id: tenant, limit: 2, is_active: 'true' });
    expect(six.ids).toEqual(ids);
    expect(six.pages).toEqual([2, 2, 2, 1]);
    const one = await walk({ tenant_id: tenant, limit: 1 });
    expect(one.ids).toEqual(ids);
    expect(one.pages).toEqual([1, 1, 1, 1, 1, 1, 1]);
    const all = await walk({ tenant_id: tenant, limit: 7 });
    expect(all.pages).toEqual([7]);
  });

  it('pagination with a filter, and a cursor used twice gives the same page', async () => {
    const tenant = newTenantId();
    const ids = await registerAll(tenant, BUILT_IN_SERVICE_NAMES.slice(0, 5));
    await http(app).post(`${API}/${ids[1]}/deactivate`);
    await http(app).post(`${API}/${ids[3]}/deactivate`);

    const active = await walk({ tenant_id: tenant, limit: 2, is_active: 'true' });
    expect(active.ids).toEqual([ids[0], ids[2], ids[4]]);
    expect(active.pages).toEqual([2, 1]);

    const first = await list({ tenant_id: tenant, limit: 2 });
    const again = await list({ tenant_id: tenant, limit: 2, cursor: first.body.next_cursor });
    const twice = await list({ tenant_id: tenant, limit: 2, cursor: first.body.next_cursor });
    expect(again.body).toEqual(twice.body);
    expect(idsOf(again)).toEqual([ids[2], ids[3]]);
  });

  it('limit defaults to 50 and accepts 200', async () => {
    // A tenant has one platform per service at most (10 built-in services): 52 platforms take 6
    // tenants, which a platform admin lists together (no tenant_id). The walk starts right after
    // the first of them (a cursor is a position, whatever filter it came from), so the other 51
    // come first, whatever other tests have stored before.
    const tenants = Array.from({ length: 6 }, () => newTenantId());
    const slots = Array.from({ length: 52 }, (_, i) => ({
      tenant: tenants[Math.floor(i / 10)] as string,
      service_name: BUILT_IN_SERVICE_NAMES[i % 10] as string,
    }));
    const [anchor, ...others] = slots as [(typeof slots)[number], ...typeof slots];
    const anchorId = (await registerPlatform(app, anchor.tenant, anchor)).platform.id;
    const ours = new Set<string>();
    // In batches, to stay quick without exhausting the pool.
    for (let i = 0; i < others.length; i += 10) {
      const batch = await Promise.all(
        others
          .slice(i, i + 10)
          .map(({ tenant, service_name }) => registerPlatform(app, tenant, { service_name })),
      );
      for (const { platform } of batch) ours.add(platform.id);
    }
    expect(ours.size).toBe(51);
    const head = await list({ tenant_id: tenants[0] as string, limit: 1 });
    expect(idsOf(head)).toEqual([anchorId]);
    const cursor = head.body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));

    const first = await list({ cursor });
    expect(first.status).toBe(200);
    expect(first.body.platforms).toHaveLength(50);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    for (const item of first.body.platforms) expectPlatformResponse(item);
    // The rest, 50 at a time: every page full but the last.
    const rest = await walk({ cursor: first.body.next_cursor });
    expect(rest.pages.slice(0, -1).every((size) => size === 50)).toBe(true);
    expect(rest.pages.at(-1)).toBeGreaterThanOrEqual(1);
    expect(rest.pages.at(-1)).toBeLessThanOrEqual(50);
    const seen = [...idsOf(first), ...rest.ids];
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(anchorId);
    // Only platforms registered meanwhile by other tests could come between ours.
    expect(seen.filter((id) => ours.has(id)).sort()).toEqual([...ours].sort());

    const max = await list({ cursor, limit: 200 });
    expect(max.status).toBe(200);
    expect(max.body.platforms.length).toBeGreaterThan(50);
    expect(max.body.platforms.length).toBeLessThanOrEqual(200);
    // The same platforms in the same order (those registered since the walk can only follow).
    expect(idsOf(max).slice(0, Math.min(seen.length, 200))).toEqual(seen.slice(0, 200));
    expect(idsOf(max)).toEqual(expect.arrayContaining([...ours]));
  });

  it.each(['0', '201', 'abc', '-1', '1.5', '', '1e2'])(
    'limit=%j: 400 VALIDATION_FAILED',
    async (limit) => {
      const res = await list({ tenant_id: newTenantId(), limit });
      const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(error)).toEqual(['limit']);
    },
  );

  it('limit given twice: 400, not a server error', async () => {
    const res = await http(app).get(`${API}?tenant_id=${newTenantId()}&limit=1&limit=2`);
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error)).toEqual(['limit']);
  });

  it.each(['yes', '1', 'TRUE', ''])('is_active=%j: 400 VALIDATION_FAILED', async (isActive) => {
    const res = await list({ tenant_id: newTenantId(), is_active: isActive });
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error)).toEqual(['is_active']);
  });

  it.each([
    ['garbage', 'not-a-cursor!'],
    ['base64 of something else', Buffer.from('{"a":1}').toString('base64url')],
    ['base64 of a bad position', Buffer.from('["yesterday","x"]').toString('base64url')],
    ['too long', 'a'.repeat(600)],
  ])('an invalid cursor (%s): 400 VALIDATION_FAILED', async (_name, cursor) => {
    const res = await list({ tenant_id: newTenantId(), cursor });
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error)).toEqual(['cursor']);
  });

  it('tenant_id missing: a platform admin lists every tenant', async () => {
    const [a, b] = [newTenantId(), newTenantId()];
    await registerPlatform(app, a);
    await registerPlatform(app, b);
    const tenants = new Set<string>();
    let cursor: string | null = null;
    do {
      const res = await http(app)
        .get(API)
        .query({ limit: 200, ...(cursor !== null && { cursor }) });
      expect(res.status).toBe(200);
      const body = res.body as ListJson;
      for (const platform of body.platforms) tenants.add(platform.tenant_id);
      cursor = body.next_cursor;
    } while (cursor !== null);
    expect(tenants.has(a) && tenants.has(b)).toBe(true);
  });

  it("tenant_id missing: a tenant's caller lists its own tenant", async () => {
    const tenant = newTenantId();
    await registerPlatform(app, tenant);
    await registerPlatform(app, newTenantId());
    const res = await http(app, { as: { tenantId: tenant, roles: ['tenant-viewer'] } }).get(API);
    expect(res.status).toBe(200);
    expect((res.body as ListJson).platforms.map((p) => p.tenant_id)).toEqual([tenant]);
  });

  it('tenant_id not a UUID: 400 VALIDATION_FAILED', async () => {
    const res = await list({ tenant_id: 'tenant-1' });
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error)).toEqual(['tenant_id']);
  });

  it('service_name not a slug: 400 VALIDATION_FAILED', async () => {
    const res = await list({ tenant_id: newTenantId(), service_name: 'Outlook' });
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error)).toEqual(['service_name']);
  });

  it('an unknown query parameter: 400 VALIDATION_FAILED', async () => {
    const res = await list({ tenant_id: newTenantId(), active: 'true' });
    const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(error)).toEqual(['active']);
  });
});
