import type { INestApplication } from '@nestjs/common';
import { canarySecret, guidOf, newTenantId, validConfig } from '../../support/fixtures';
import { API, http, MASK, registerPlatform } from '../e2e-helpers';
import {
  auditRowsOf,
  PAYLOAD_KEYS,
  startEventsEnvironment,
  waitForDrainedOutbox,
  type EventsEnvironment,
} from './events-harness';
import { describeWithRedis } from '../../support/suite-requirements';

/**
 * Every change produces exactly one event on its Redis channel and one audit entry, written
 * through the outbox; a change that fails produces neither.
 */
describeWithRedis('change events: outbox → audit trail + Redis', () => {
  let env: EventsEnvironment;
  let app: INestApplication;

  beforeAll(async () => {
    env = await startEventsEnvironment('events');
    app = await env.startApp();
  }, 60_000);

  afterAll(async () => {
    await env?.close();
  });

  const admin = (tenantId: string) => ({
    as: { sub: 'alice', tenantId, roles: ['tenant-admin'] as const },
  });

  it('register, update, deactivate, activate: one event each, on its channel, masked, in order', async () => {
    const tenantId = newTenantId();
    const secret = canarySecret();
    const register = await http(app, admin(tenantId))
      .post(API)
      .send({
        tenant_id: tenantId,
        service_name: 'outlook',
        config: {
          client_id: guidOf('cid-1'),
          client_secret: secret,
          tenant_id: 'contoso.onmicrosoft.com',
          // mailbox is declared public by outlook; region is not declared: a secret.
          additional_data: {
            region: 'region-eu-canary',
            mailbox: 'eu@contoso.onmicrosoft.com',
            refresh_token: 'rt-canary',
          },
        },
      });
    expect(register.status).toBe(201);
    const id = (register.body as { platform: { id: string } }).platform.id;
    const newSecret = canarySecret('rotated');
    const update = await http(app, admin(tenantId))
      .put(`${API}/${id}`)
      .send({
        config: {
          client_id: guidOf('cid-2'),
          client_secret: newSecret,
          additional_data: { region: 'region-us-canary', mailbox: 'us@contoso.onmicrosoft.com' },
        },
      });
    expect(update.status).toBe(200);
    // Changes that change nothing are not events.
    expect(
      (
        await http(app, admin(tenantId))
          .put(`${API}/${id}`)
          .send({ config: { client_id: guidOf('cid-2') } })
      ).status,
    ).toBe(200);
    expect((await http(app, admin(tenantId)).post(`${API}/${id}/deactivate`)).status).toBe(200);
    expect((await http(app, admin(tenantId)).post(`${API}/${id}/deactivate`)).status).toBe(200);
    expect((await http(app, admin(tenantId)).post(`${API}/${id}/activate`)).status).toBe(200);

    await env.subscriber.waitFor(() => env.subscriber.of(id).length >= 4);
    await waitForDrainedOutbox(env.sql);
    const events = env.subscriber.of(id);
    expect(
      events.map((event) => [
        event.channel,
        event.pattern,
        event.data.event_type,
        event.data.version,
      ]),
    ).toEqual([
      ['platform.registered', 'platform.registered', 'platform.registered', 1],
      ['platform.updated', 'platform.updated', 'platform.updated', 2],
      ['platform.deactivated', 'platform.deactivated', 'platform.deactivated', 3],
      ['platform.activated', 'platform.activated', 'platform.activated', 4],
    ]);
    for (const { data } of events) {
      expect(Object.keys(data).sort()).toEqual(PAYLOAD_KEYS);
      expect(data).toMatchObject({
        platform_id: id,
        tenant_id: tenantId,
        service_name: 'outlook',
        actor_id: 'alice',
      });
      expect(data.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(data.config.client_secret).toBe(MASK);
    }
    expect(events[0]?.data.config).toEqual({
      client_id: guidOf('cid-1'),
      client_secret: MASK,
      tenant_id: 'contoso.onmicrosoft.com',
      additional_data: {
        region: MASK,
        mailbox: 'eu@contoso.onmicrosoft.com',
        refresh_token: MASK,
      },
    });
    expect(events[3]?.data.config).toEqual({
      client_id: guidOf('cid-2'),
      client_secret: MASK,
      tenant_id: 'contoso.onmicrosoft.com',
      additional_data: {
        region: MASK,
        mailbox: 'us@contoso.onmicrosoft.com',
        refresh_token: MASK,
      },
    });
    expect(new Set(events.map((event) => event.data.event_id)).size).toBe(4);

    const audit = await auditRowsOf(env.sql, id);
    expect(audit.map((row) => [row.action, row.actor_id, row.event_id])).toEqual(
      events.map((event) => [
        event.data.event_type.replace('platform.', ''),
        'alice',
        event.data.event_id,
      ]),
    );
    expect(audit[0]?.changes).toEqual({
      'config.client_id': { before: null, after: guidOf('cid-1') },
      'config.client_secret': { changed: true },
      'config.tenant_id': { before: null, after: 'contoso.onmicrosoft.com' },
      'config.additional_data.region': { changed: true },
      'config.additional_data.mailbox': { before: null, after: 'eu@contoso.onmicrosoft.com' },
      'config.additional_data.refresh_token': { changed: true },
      is_active: { before: null, after: true },
    });
    expect(audit[1]?.changes).toEqual({
      'config.client_id': { before: guidOf('cid-1'), after: guidOf('cid-2') },
      'config.client_secret': { changed: true },
      'config.additional_data.region': { changed: true },
      'config.additional_data.mailbox': {
        before: 'eu@contoso.onmicrosoft.com',
        after: 'us@contoso.onmicrosoft.com',
      },
    });
    expect(audit[2]?.changes).toEqual({ is_active: { before: true, after: false } });
    expect(audit[3]?.changes).toEqual({ is_active: { before: false, after: true } });
    for (const [index, row] of audit.entries()) {
      expect(row.occurred_at.toISOString()).toBe(events[index]?.data.timestamp);
    }

    // No secret in any message, audit row or outbox row.
    const { rows: outbox } = await env.sql.query(
      'SELECT payload, changes FROM outbox_events WHERE platform_id = $1',
      [id],
    );
    const everything = JSON.stringify([events, audit, outbox]);
    for (const plaintext of [
      secret,
      newSecret,
      'rt-canary',
      'region-eu-canary',
      'region-us-canary',
    ])
      expect(everything).not.toContain(plaintext);
  });

  it('a command that fails after writing its event rolls both back: no row, no event, no audit', async () => {
    // A database-side failure of the outbox insert, after the platform row was written in the
    // same transaction: the whole change must disappear. (The client id is a valid one of both
    // gmail and slack; the deactivation refused is that of the tenant's zendesk platform.)
    const explode = 'explode.apps.googleusercontent.com';
    await env.sql.query(`
      CREATE FUNCTION refuse_exploding_events() RETURNS trigger AS $$
      BEGIN
        IF NEW.payload->'config'->>'client_id' = '${explode}'
           OR (NEW.event_type = 'platform.deactivated' AND NEW.payload->>'service_name' = 'zendesk') THEN
          RAISE EXCEPTION 'refused by the test';
        END IF;
        RETURN NEW;
      END; $$ LANGUAGE plpgsql;
      CREATE TRIGGER refuse_exploding_events BEFORE INSERT ON outbox_events
        FOR EACH ROW EXECUTE FUNCTION refuse_exploding_events();`);
    try {
      const tenantId = newTenantId();
      const failed = await http(app)
        .post(API)
        .send({
          tenant_id: tenantId,
          service_name: 'gmail',
          config: validConfig('gmail', { client_id: explode }),
        });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      const { rows } = await env.sql.query(
        'SELECT id FROM service_platforms WHERE tenant_id = $1',
        [tenantId],
      );
      expect(rows).toEqual([]);

      const { platform } = await registerPlatform(app, tenantId, { service_name: 'slack' });
      const failedUpdate = await http(app)
        .put(`${API}/${platform.id}`)
        .send({ config: { client_id: explode } });
      expect(failedUpdate.status).toBeGreaterThanOrEqual(500);
      const stored = await http(app).get(`${API}/${platform.id}`);
      expect(platform.config.client_id).not.toBe(explode);
      expect(stored.body).toMatchObject({
        version: 1,
        config: { client_id: platform.config.client_id },
      });

      const pinned = await registerPlatform(app, tenantId, { service_name: 'zendesk' });
      const failedDeactivation = await http(app).post(`${API}/${pinned.platform.id}/deactivate`);
      expect(failedDeactivation.status).toBeGreaterThanOrEqual(500);
      expect((await http(app).get(`${API}/${pinned.platform.id}`)).body).toMatchObject({
        version: 1,
        is_active: true,
      });

      await waitForDrainedOutbox(env.sql);
      await env.subscriber.waitFor(() => env.subscriber.of(platform.id).length >= 1);
      const { rows: outbox } = await env.sql.query(
        'SELECT event_type FROM outbox_events WHERE tenant_id = $1',
        [tenantId],
      );
      expect(outbox).toEqual([
        { event_type: 'platform.registered' },
        { event_type: 'platform.registered' },
      ]);
      await env.subscriber.waitFor(() => env.subscriber.of(pinned.platform.id).length >= 1);
      expect(
        env.subscriber.received
          .filter((event) => event.data.tenant_id === tenantId)
          .map((event) => event.channel),
      ).toEqual(['platform.registered', 'platform.registered']);
      expect((await auditRowsOf(env.sql, platform.id)).map((row) => row.action)).toEqual([
        'registered',
      ]);
    } finally {
      await env.sql.query(
        'DROP TRIGGER refuse_exploding_events ON outbox_events; DROP FUNCTION refuse_exploding_events();',
      );
    }
  });

  it('100 concurrent duplicate registers: one 201, one platform.registered, one audit entry', async () => {
    const tenantId = newTenantId();
    const body = {
      tenant_id: tenantId,
      service_name: 'whatsapp',
      config: validConfig('whatsapp'),
    };
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => http(app).post(API).send(body)),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(99);
    const id = (answers.find((res) => res.status === 201)?.body as { platform: { id: string } })
      .platform.id;

    await waitForDrainedOutbox(env.sql);
    await env.subscriber.waitFor(() => env.subscriber.of(id).length >= 1);
    // Give a duplicate every chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      env.subscriber.received.filter((event) => event.data.tenant_id === tenantId),
    ).toHaveLength(1);
    expect(await auditRowsOf(env.sql, id)).toHaveLength(1);
  });

  it('concurrent updates and (de)activations: audit order and event timestamps follow the version', async () => {
    const { platform } = await registerPlatform(app, newTenantId(), { service_name: 'hubspot' });
    for (let round = 0; round < 15; round++) {
      const answers = await Promise.all([
        http(app)
          .put(`${API}/${platform.id}`)
          .send({ config: { client_id: guidOf(`client-${round}`) } }),
        http(app).post(`${API}/${platform.id}/${round % 2 === 0 ? 'deactivate' : 'activate'}`),
        http(app)
          .put(`${API}/${platform.id}`)
          .send({ config: { additional_data: { round } } }),
      ]);
      expect(answers.map((res) => res.status)).toEqual([200, 200, 200]);
    }
    await waitForDrainedOutbox(env.sql);
    const versions = (await http(app).get(`${API}/${platform.id}`)).body as { version: number };
    await env.subscriber.waitFor(() => env.subscriber.of(platform.id).length >= versions.version);
    const events = env.subscriber.of(platform.id);
    const versionOf = new Map(events.map((event) => [event.data.event_id, event.data.version]));
    const timestamps = events.map((event) => Date.parse(event.data.timestamp));
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(new Set(timestamps).size).toBe(timestamps.length);

    // The trail, newest first, is in strictly decreasing version order.
    const trail = (
      (await http(app).get(`${API}/${platform.id}/audit`).query({ limit: 200 })).body as {
        entries: { event_id: string }[];
      }
    ).entries.map((entry) => versionOf.get(entry.event_id));
    expect(trail).toEqual(events.map((event) => event.data.version).reverse());
  }, 60_000);

  it('an actor id as long as the token allows (256 characters) is audited, not stuck', async () => {
    const tenantId = newTenantId();
    const sub = 'a'.repeat(256);
    const res = await http(app, { as: { sub, tenantId, roles: ['tenant-admin'] } })
      .post(API)
      .send({
        tenant_id: tenantId,
        service_name: 'twilio',
        config: validConfig('twilio'),
      });
    expect(res.status).toBe(201);
    const id = (res.body as { platform: { id: string } }).platform.id;
    await waitForDrainedOutbox(env.sql);
    expect((await auditRowsOf(env.sql, id)).map((row) => row.actor_id)).toEqual([sub]);
  });
});
