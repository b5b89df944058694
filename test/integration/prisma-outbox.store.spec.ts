import { secretsOf } from '../support/catalog';
import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { ServicePlatformModule } from '../../src/service-platform';
import { EventOutbox } from '../../src/service-platform/application/ports/event-outbox.port';
import { OutboxSignal } from '../../src/service-platform/application/ports/outbox-signal.port';
import { OutboxStore } from '../../src/service-platform/application/ports/outbox-store.port';
import { UnitOfWork } from '../../src/service-platform/application/ports/unit-of-work.port';
import { PlatformUpdatedEvent } from '../../src/service-platform/domain/events/platform-change.events';
import { newTimeOrderedId } from '../../src/service-platform/domain/identifiers';
import { PlatformConfiguration } from '../../src/service-platform/domain/platform-configuration.value-object';
import { ServicePlatform } from '../../src/service-platform/domain/service-platform.entity';
import { PrismaService } from '../../src/service-platform/infrastructure/persistence/prisma.service';
import { Client } from 'pg';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';

/**
 * The fan-out targets of this module with no broker configured: the audit trail and the host's
 * event handlers.
 */
const TARGETS = ['audit', 'handlers'];

/**
 * The relay's queries on a real PostgreSQL (a database of its own, no relay running): leases,
 * per-platform order, retries and pruning.
 */
describe('PrismaOutboxStore', () => {
  let database: OwnDatabase;
  let moduleRef: TestingModule;
  let store: OutboxStore;
  let outbox: EventOutbox;
  let unitOfWork: UnitOfWork;
  let prisma: PrismaService;

  beforeAll(async () => {
    database = await createMigratedDatabase('outbox');
    moduleRef = await Test.createTestingModule({
      imports: [
        ServicePlatformModule.forRoot({
          database: { url: database.url, poolSize: 8 },
          encryption: { keys: process.env.ENCRYPTION_KEYS as string },
          events: { relay: { enabled: false } },
        }),
      ],
    }).compile();
    await moduleRef.init();
    store = moduleRef.get(OutboxStore);
    outbox = moduleRef.get(EventOutbox);
    unitOfWork = moduleRef.get(UnitOfWork);
    prisma = moduleRef.get(PrismaService);
  }, 60_000);

  afterAll(async () => {
    await moduleRef?.close();
    await dropDatabase(database);
  });

  beforeEach(async () => {
    await prisma.outboxEvent.deleteMany();
  });

  /** Appends `count` successive events of one platform; returns their ids in order. */
  async function eventsOf(platformId: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    let platform = ServicePlatform.register({
      id: platformId,
      tenantId: randomUUID(),
      serviceName: 'outlook',
      config: PlatformConfiguration.create({ client_id: 'c0', client_secret: 's' }),
      secrets: secretsOf('outlook'),
      now: new Date(),
    });
    for (let index = 1; index <= count; index++) {
      const next = platform.updateConfig({ client_id: `c${index}` }, new Date());
      const event = PlatformUpdatedEvent.of(platform, next, 'tester');
      await unitOfWork.run(() => outbox.append(event));
      ids.push(event.eventId);
      platform = next;
    }
    return ids;
  }

  it('leases the oldest pending event of each platform, and the next one only after it is done', async () => {
    const p1 = newTimeOrderedId();
    const p2 = newTimeOrderedId();
    const [a1, a2] = await eventsOf(p1, 2);
    const [b1] = await eventsOf(p2, 1);

    const first = await store.claim('relay-a', 10, 30_000, TARGETS);
    expect(first.map((claimed) => claimed.event.eventId).sort()).toEqual([a1, b1].sort());
    expect(first.every((claimed) => claimed.attempt === 1)).toBe(true);
    // p1 has a later event waiting; p2 has not.
    expect(first.find((claimed) => claimed.event.eventId === a1)?.hasNext).toBe(true);
    expect(first.find((claimed) => claimed.event.eventId === b1)?.hasNext).toBe(false);
    expect(first.find((claimed) => claimed.event.eventId === a1)?.event).toBeInstanceOf(
      PlatformUpdatedEvent,
    );
    // p1's second event waits for its first; nothing is left for another relay.
    expect(await store.claim('relay-b', 10, 30_000, TARGETS)).toEqual([]);

    await store.complete([a1 as string], 'relay-a');
    const next = await store.claim('relay-b', 10, 30_000, TARGETS);
    expect(next.map((claimed) => [claimed.event.eventId, claimed.hasNext])).toEqual([[a2, false]]);
  });

  it('two relays claiming at once never get the same event', async () => {
    for (let index = 0; index < 60; index++) await eventsOf(newTimeOrderedId(), 1);
    const [a, b] = await Promise.all([
      store.claim('relay-a', 40, 30_000, TARGETS),
      store.claim('relay-b', 40, 30_000, TARGETS),
    ]);
    const ids = [...(a ?? []), ...(b ?? [])].map((claimed) => claimed.event.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(60);
  });

  it('a released event waits out its retry delay (or retryNow), then comes back with attempt 2', async () => {
    const [id] = await eventsOf(newTimeOrderedId(), 1);
    await store.claim('relay-a', 10, 30_000, TARGETS);
    await store.release(id as string, 'relay-a', 60_000, 'publish: Redis is down', []);
    expect(await store.claim('relay-a', 10, 30_000, TARGETS)).toEqual([]);
    const row = await prisma.outboxEvent.findUniqueOrThrow({ where: { id: id as string } });
    expect(row.lastError).toBe('publish: Redis is down');

    expect(await store.retryNow()).toBe(1);
    const again = await store.claim('relay-a', 10, 30_000, TARGETS);
    expect(again.map((claimed) => [claimed.event.eventId, claimed.attempt])).toEqual([[id, 2]]);
  });

  it('an event needs a relay with all of its targets, and a retry skips the targets it reached', async () => {
    const [id] = await eventsOf(newTimeOrderedId(), 1);
    const row = await prisma.outboxEvent.findUniqueOrThrow({ where: { id: id as string } });
    expect(row.targets).toEqual(TARGETS); // what this instance has
    await prisma.outboxEvent.update({
      where: { id: id as string },
      data: { targets: ['audit', 'publish'] }, // as written by an instance with a broker
    });
    // A relay without the broker never takes it (it would complete it unpublished).
    expect(await store.claim('relay-a', 10, 30_000, ['audit'])).toEqual([]);

    const [first] = await store.claim('relay-b', 10, 30_000, ['audit', 'publish']);
    expect([...(first?.pendingTargets ?? [])].sort()).toEqual(['audit', 'publish']);
    await store.release(id as string, 'relay-b', 1, 'publish: Redis is down', ['audit']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [second] = await store.claim('relay-b', 10, 30_000, ['audit', 'publish']);
    expect(second?.pendingTargets).toEqual(['publish']);
    expect(second?.attempt).toBe(2);
  });

  it('a row inserted without targets needs every target of the relay', async () => {
    const [id] = await eventsOf(newTimeOrderedId(), 1);
    await prisma.outboxEvent.update({ where: { id: id as string }, data: { targets: [] } });
    const [claimed] = await store.claim('relay-a', 10, 30_000, ['audit', 'publish']);
    expect([...(claimed?.pendingTargets ?? [])].sort()).toEqual(['audit', 'publish']);
  });

  it('an event type this version does not know waits for a relay that knows it', async () => {
    const [id] = await eventsOf(newTimeOrderedId(), 1);
    await prisma.outboxEvent.update({
      where: { id: id as string },
      data: { eventType: 'platform.renamed' },
    });
    expect(await store.claim('relay-a', 10, 30_000, TARGETS)).toEqual([]);
    expect(
      (await prisma.outboxEvent.findUniqueOrThrow({ where: { id: id as string } })).leasedUntil,
    ).toBeNull();
  });

  it('an expired lease passes to another relay, and the old owner can no longer complete it', async () => {
    const [id] = await eventsOf(newTimeOrderedId(), 1);
    await store.claim('relay-a', 10, 1, TARGETS);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await store.claim('relay-b', 10, 30_000, TARGETS)).map((c) => c.event.eventId)).toEqual(
      [id],
    );
    await store.complete([id as string], 'relay-a');
    expect(
      (await prisma.outboxEvent.findUniqueOrThrow({ where: { id: id as string } })).processedAt,
    ).toBeNull();
    await store.complete([id as string], 'relay-b');
    expect(
      (await prisma.outboxEvent.findUniqueOrThrow({ where: { id: id as string } })).processedAt,
    ).not.toBeNull();
  });

  it('reports the backlog and prunes only dispatched events past the retention', async () => {
    const [done, pending] = await eventsOf(newTimeOrderedId(), 2);
    const backlog = await store.backlog();
    expect(backlog.pending).toBe(2);
    expect(backlog.oldestPendingAgeMs).toEqual(expect.any(Number));

    await store.claim('relay-a', 10, 30_000, TARGETS);
    await store.complete([done as string], 'relay-a');
    expect(await store.prune(60_000)).toBe(0); // dispatched just now: kept
    await prisma.outboxEvent.update({
      where: { id: done as string },
      data: { processedAt: new Date(Date.now() - 120_000) },
    });
    expect(await store.prune(60_000)).toBe(1);
    expect((await prisma.outboxEvent.findMany()).map((row) => row.id)).toEqual([pending]);
    expect(await store.backlog()).toMatchObject({ pending: 1 });
    await prisma.outboxEvent.deleteMany();
    expect(await store.backlog()).toEqual({ pending: 0, oldestPendingAgeMs: null });
  });

  it('a commit notifies "<schema> <event id>" and wakes the signal; a rollback does not', async () => {
    const listener = new Client({ connectionString: database.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query('LISTEN service_platform_outbox');
    const signal = moduleRef.get(OutboxSignal);
    let wakes = 0;
    await signal.listen(() => wakes++);
    try {
      const wakesBefore = wakes;
      const [id] = await eventsOf(newTimeOrderedId(), 1);
      const rolledBack = PlatformUpdatedEvent.of(
        ServicePlatform.register({
          id: newTimeOrderedId(),
          tenantId: randomUUID(),
          serviceName: 'gmail',
          config: PlatformConfiguration.create({ client_id: 'c', client_secret: 's' }),
          secrets: secretsOf('outlook'),
          now: new Date(),
        }),
        ServicePlatform.register({
          id: newTimeOrderedId(),
          tenantId: randomUUID(),
          serviceName: 'gmail',
          config: PlatformConfiguration.create({ client_id: 'd', client_secret: 's' }),
          secrets: secretsOf('outlook'),
          now: new Date(),
        }),
        'tester',
      );
      await expect(
        unitOfWork.run(async () => {
          await outbox.append(rolledBack);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const deadline = Date.now() + 5_000;
      while ((payloads.length < 1 || wakes <= wakesBefore) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(payloads).toEqual([`service_platform ${id}`]);
      expect(wakes).toBeGreaterThan(wakesBefore);
    } finally {
      await signal.close();
      await listener.end();
    }
  });

  it('refuses an append outside a unit of work', async () => {
    const platform = ServicePlatform.register({
      id: newTimeOrderedId(),
      tenantId: randomUUID(),
      serviceName: 'gmail',
      config: PlatformConfiguration.create({ client_id: 'c', client_secret: 's' }),
      secrets: secretsOf('outlook'),
      now: new Date(),
    });
    const event = PlatformUpdatedEvent.of(platform, platform, 'tester');
    await expect(outbox.append(event)).rejects.toThrow('inside UnitOfWork.run()');
  });
});
