import type { INestApplication } from '@nestjs/common';
import { guidOf, newTenantId } from '../../support/fixtures';
import { API, http, registerPlatform } from '../e2e-helpers';
import {
  startEventsEnvironment,
  waitForDrainedOutbox,
  type EventsEnvironment,
} from './events-harness';
import { describeWithRedis } from '../../support/suite-requirements';

/**
 * Two app instances on one database, both relaying: every event is published, none is
 * dispatched by both (each outbox row was leased exactly once), and one platform's events still
 * arrive in version order although both relays work on the queue.
 */
describeWithRedis('two relays on one database', () => {
  let env: EventsEnvironment;
  let apps: INestApplication[];

  beforeAll(async () => {
    env = await startEventsEnvironment('relays');
    apps = [await env.startApp('fastify'), await env.startApp('express')];
  }, 60_000);

  afterAll(async () => {
    await env?.close();
  });

  it('publishes every event exactly once, in version order per platform', async () => {
    const { platform } = await registerPlatform(apps[0] as INestApplication, newTenantId(), {
      service_name: 'microsoft-teams',
    });
    const registrations: Promise<unknown>[] = [];
    // 200 registrations of other platforms and 200 updates of one, spread over both instances.
    for (let round = 0; round < 20; round++) {
      const updates = Array.from({ length: 10 }, (_, index) =>
        http(apps[index % 2] as INestApplication)
          .put(`${API}/${platform.id}`)
          .send({ config: { client_id: guidOf(`client-${round}-${index}`) } }),
      );
      for (let index = 0; index < 10; index++) {
        registrations.push(
          registerPlatform(apps[(index + 1) % 2] as INestApplication, newTenantId(), {
            service_name: 'gmail',
          }),
        );
      }
      const answers = await Promise.all(updates);
      expect(answers.map((res) => res.status)).toEqual(Array(10).fill(200));
    }
    await Promise.all(registrations);

    const total = 1 + 200 + 200;
    await env.subscriber.waitFor(() => env.subscriber.received.length >= total, 45_000);
    await waitForDrainedOutbox(env.sql);
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for a duplicate to show

    // Each event once: the consumer sees every event_id exactly once.
    expect(env.subscriber.received).toHaveLength(total);
    expect(env.subscriber.distinctEventIds().size).toBe(total);
    // No event dispatched twice: every row was leased by one relay, once.
    const { rows } = await env.sql.query<{ attempts: number; relays: string }>(
      'SELECT attempts, count(*)::text AS relays FROM outbox_events GROUP BY attempts',
    );
    expect(rows).toEqual([{ attempts: 1, relays: String(total) }]);
    // Order per platform, though both relays took part.
    const versions = env.subscriber.of(platform.id).map((event) => event.data.version);
    expect(versions).toEqual(Array.from({ length: 201 }, (_, index) => index + 1));
    const { rows: owners } = await env.sql.query<{ leased_by: string }>(
      'SELECT DISTINCT leased_by FROM outbox_events',
    );
    expect(owners.length).toBe(2);
  }, 90_000);
});
