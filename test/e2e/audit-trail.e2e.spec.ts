import type { INestApplication } from '@nestjs/common';
import { guidOf, newTenantId, OUTLOOK_CLIENT_ID } from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import {
  API,
  expectErrorBody,
  http,
  ISO_UTC,
  registerPlatform,
  startListeningApp,
  UNKNOWN_ID,
} from './e2e-helpers';

interface AuditJson {
  entries: {
    id: string;
    platform_id: string;
    tenant_id: string;
    action: string;
    actor_id: string;
    changes: Record<string, unknown>;
    occurred_at: string;
    event_id: string;
  }[];
  next_cursor: string | null;
}

/** GET /platforms/{id}/audit: newest first, cursor pagination, the contract's entry shape. */
describe.each(PLATFORMS)('GET /api/v1/platforms/{id}/audit (%s)', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startListeningApp(platform);
  });
  afterAll(async () => {
    await app.close();
  });

  /** The trail once the relay has written `count` entries (it runs right after each commit). */
  async function trailOf(id: string, count: number, query: Record<string, unknown> = {}) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await http(app).get(`${API}/${id}/audit`).query(query);
      const body = res.body as AuditJson;
      if (res.status !== 200 || body.entries.length >= count || Date.now() > deadline) return res;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('lists every change newest first, with actor and diff, secrets only as changed', async () => {
    const tenantId = newTenantId();
    const { platform: created, secret } = await registerPlatform(app, tenantId);
    const admin = { as: { sub: 'bob', tenantId, roles: ['tenant-admin'] as const } };
    await http(app, admin)
      .put(`${API}/${created.id}`)
      .send({ config: { client_id: guidOf('client-456'), client_secret: 'new-secret-value' } })
      .expect(200);
    await http(app, admin).post(`${API}/${created.id}/deactivate`).expect(200);

    const res = await trailOf(created.id, 3);
    expect(res.status).toBe(200);
    const body = res.body as AuditJson;
    expect(Object.keys(body).sort()).toEqual(['entries', 'next_cursor']);
    expect(body.next_cursor).toBeNull();
    expect(body.entries.map((entry) => [entry.action, entry.actor_id])).toEqual([
      ['deactivated', 'bob'],
      ['updated', 'bob'],
      ['registered', 'test-platform-admin'],
    ]);
    for (const entry of body.entries) {
      expect(Object.keys(entry).sort()).toEqual([
        'action',
        'actor_id',
        'changes',
        'event_id',
        'id',
        'occurred_at',
        'platform_id',
        'tenant_id',
      ]);
      expect(entry).toMatchObject({ platform_id: created.id, tenant_id: tenantId });
      expect(entry.occurred_at).toMatch(ISO_UTC);
    }
    expect(body.entries[1]?.changes).toEqual({
      'config.client_id': { before: OUTLOOK_CLIENT_ID, after: guidOf('client-456') },
      'config.client_secret': { changed: true },
    });
    expect(body.entries[0]?.changes).toEqual({ is_active: { before: true, after: false } });
    expect(res.text).not.toContain(secret);
    expect(res.text).not.toContain('new-secret-value');
    expect(res.text).not.toContain('rt-1'); // the refresh_token of additional_data
  });

  it('pages with next_cursor: every entry once, in order', async () => {
    const { platform: created } = await registerPlatform(app, newTenantId());
    for (let index = 0; index < 4; index++) {
      await http(app)
        .put(`${API}/${created.id}`)
        .send({ config: { client_id: guidOf(`client-${index}`) } })
        .expect(200);
    }
    const all = ((await trailOf(created.id, 5)).body as AuditJson).entries;
    expect(all).toHaveLength(5);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await http(app)
        .get(`${API}/${created.id}/audit`)
        .query({ limit: 2, ...(cursor !== null && { cursor }) });
      expect(res.status).toBe(200);
      const page = res.body as AuditJson;
      expect(page.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.entries.map((entry) => entry.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.map((entry) => entry.id));
  });

  it('404 for an unknown platform, 400 for a bad id, cursor or limit', async () => {
    expectErrorBody(await http(app).get(`${API}/${UNKNOWN_ID}/audit`), 404, 'PLATFORM_NOT_FOUND');
    expectErrorBody(await http(app).get(`${API}/not-a-uuid/audit`), 400);
    const { platform: created } = await registerPlatform(app, newTenantId());
    expectErrorBody(
      await http(app).get(`${API}/${created.id}/audit`).query({ cursor: 'bogus' }),
      400,
    );
    expectErrorBody(await http(app).get(`${API}/${created.id}/audit`).query({ limit: 0 }), 400);
    expectErrorBody(await http(app).get(`${API}/${created.id}/audit`).query({ limit: 201 }), 400);
  });
});
