import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PlatformActivatedEvent } from '../../domain/events/platform-change.events';
import { OutboxSignal } from '../ports/outbox-signal.port';
import {
  OutboxStore,
  type ClaimedOutboxEvent,
  type OutboxBacklog,
} from '../ports/outbox-store.port';
import { PlatformEventTransport } from '../ports/platform-event-transport.port';
import type { ServicePlatformReadiness } from '../health/service-platform-readiness';
import { ServicePlatformMetrics } from '../metrics/service-platform-metrics';
import { OutboxRelay } from './outbox-relay';
import { resolveOutboxRelaySettings } from './outbox-relay.settings';
import type { PlatformEventDispatcher } from './platform-event.dispatcher';

/** A store that hands out its queue once and records what the relay did with each event. */
class FakeStore extends OutboxStore {
  queue: ClaimedOutboxEvent[] = [];
  completed: string[] = [];
  released: { id: string; retryInMs: number; error: string }[] = [];
  backlogValue: OutboxBacklog = { pending: 0, oldestPendingAgeMs: null };

  claims = 0;
  /** Handed out by the claim after next (a platform's next event, once its head is done). */
  later: ClaimedOutboxEvent[] = [];

  claim(): Promise<ClaimedOutboxEvent[]> {
    this.claims++;
    const batch = this.queue.splice(0);
    this.queue.push(...this.later.splice(0));
    return Promise.resolve(batch);
  }
  complete(eventIds: readonly string[]): Promise<void> {
    this.completed.push(...eventIds);
    return Promise.resolve();
  }
  release(eventId: string, _owner: string, retryInMs: number, error: string): Promise<void> {
    this.released.push({ id: eventId, retryInMs, error });
    return Promise.resolve();
  }
  retriesNow = 0;
  retryNow(): Promise<number> {
    this.retriesNow++;
    return Promise.resolve(0);
  }
  prune(): Promise<number> {
    return Promise.resolve(0);
  }
  backlog(): Promise<OutboxBacklog> {
    return Promise.resolve(this.backlogValue);
  }
}

class SilentSignal extends OutboxSignal {
  listen(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class NoTransport extends PlatformEventTransport {
  readonly enabled = false;
  publish(): Promise<void> {
    return Promise.resolve();
  }
  reconnected: (() => void) | undefined;
  onReconnect(listener: () => void): void {
    this.reconnected = listener;
  }
  ping(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

function claimed(attempt = 1): ClaimedOutboxEvent {
  return {
    attempt,
    hasNext: false,
    pendingTargets: ['audit'],
    event: new PlatformActivatedEvent({
      eventId: randomUUID(),
      platformId: randomUUID(),
      tenantId: randomUUID(),
      serviceName: 'gmail',
      version: 3,
      actorId: 'a',
      occurredAt: new Date(),
      config: {},
      changes: {},
    }),
  };
}

describe('OutboxRelay', () => {
  const settings = resolveOutboxRelaySettings({
    pollIntervalMs: 60_000,
    backlogCheckIntervalMs: 60_000,
    backlogWarnCount: 10,
    backlogWarnAgeMs: 5_000,
    retryMinMs: 100,
  });
  let store: FakeStore;
  let failing: Set<string>;
  let relay: OutboxRelay;
  let metrics: ServicePlatformMetrics;
  let transport: NoTransport;

  beforeEach(() => {
    store = new FakeStore();
    failing = new Set();
    const dispatcher = {
      dispatch: (event: { eventId: string }) =>
        failing.has(event.eventId)
          ? Promise.reject(new Error('publish: Redis is down'))
          : Promise.resolve(),
    } as unknown as PlatformEventDispatcher;
    transport = new NoTransport();
    metrics = new ServicePlatformMetrics({} as ServicePlatformReadiness, {
      primaryKeyId: 'k1',
      keyIds: ['k1'],
    });
    relay = new OutboxRelay(store, new SilentSignal(), dispatcher, transport, settings, metrics);
  });

  afterEach(async () => {
    await relay.stop();
    jest.restoreAllMocks();
  });

  async function settle(): Promise<void> {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  }

  it('completes delivered events and releases failed ones with a backoff', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const ok = claimed();
    const bad = claimed(3);
    failing.add(bad.event.eventId);
    store.queue.push(ok, bad);
    relay.start();
    await settle();
    expect(store.completed).toEqual([ok.event.eventId]);
    expect(store.released).toEqual([
      { id: bad.event.eventId, retryInMs: expect.any(Number), error: expect.any(String) },
    ]);
    // Attempt 3 waits about 4 × retryMinMs.
    expect(store.released[0]?.retryInMs).toBeGreaterThanOrEqual(320);
    expect(store.released[0]?.retryInMs).toBeLessThanOrEqual(480);
    expect(store.released[0]?.error).toContain('Redis is down');
    // Counted for the host's metrics.
    expect(metrics.counters().relayFailures).toBe(1);
    // One line for the round, naming the failure.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/1 of 2 events not delivered.*Redis is down/);
  });

  it('claims again only when a delivered event has a successor, not for every round', async () => {
    store.queue.push(claimed());
    relay.start();
    await settle();
    expect(store.claims).toBe(1); // a short batch with nothing behind it: no extra empty claim

    const head = { ...claimed(), hasNext: true };
    const next = claimed();
    store.queue.push(head);
    store.later.push(next);
    relay.wake();
    await settle();
    expect(store.completed.slice(-2)).toEqual([head.event.eventId, next.event.eventId]);
    expect(store.claims).toBe(3);
  });

  it('makes waiting retries due and relays at once when the broker reconnects', async () => {
    relay.start();
    await settle();
    store.queue.push(claimed());
    transport.reconnected?.();
    await settle();
    expect(store.retriesNow).toBe(1);
    expect(store.completed).toHaveLength(1);
  });

  it('at shutdown, stops after a round that failed instead of going through the backlog', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const failEverything = {
      dispatch: () => Promise.reject(new Error('publish: Redis is down')),
    } as unknown as PlatformEventDispatcher;
    const shuttingDown = new OutboxRelay(
      store,
      new SilentSignal(),
      failEverything,
      transport,
      resolveOutboxRelaySettings({ ...settings, batchSize: 2 }),
      metrics,
    );
    shuttingDown.start();
    await settle();
    const claims = store.claims;
    store.queue.push(claimed(), claimed()); // a full batch: more is waiting behind it
    store.later.push(claimed(), claimed());
    await shuttingDown.onModuleDestroy();
    expect(store.claims - claims).toBe(1);
    expect(store.released).toHaveLength(2);
    expect(store.queue).toHaveLength(2); // left for the next instance
  });

  it('does nothing until started, and nothing after stop', async () => {
    store.queue.push(claimed());
    relay.wake();
    await settle();
    expect(store.completed).toEqual([]);
    relay.start();
    await settle();
    expect(store.completed).toHaveLength(1);
    await relay.stop();
    store.queue.push(claimed());
    relay.wake();
    await settle();
    expect(store.completed).toHaveLength(1);
  });

  it('logs a growing backlog once per growth, and its recovery', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const check = (relay as unknown as { checkBacklog(): Promise<void> }).checkBacklog.bind(relay);

    store.backlogValue = { pending: 3, oldestPendingAgeMs: 1_000 };
    await check(); // below both thresholds
    store.backlogValue = { pending: 12, oldestPendingAgeMs: 1_000 };
    await check(); // over the count
    await check(); // same size: no new line
    store.backlogValue = { pending: 4, oldestPendingAgeMs: 9_000 };
    await check(); // older than the age threshold but shrinking: no new line
    store.backlogValue = { pending: 30, oldestPendingAgeMs: 20_000 };
    await check(); // growing again
    store.backlogValue = { pending: 0, oldestPendingAgeMs: null };
    await check(); // recovered
    const warnings = warn.mock.calls.map((call) => String(call[0]));
    expect(warnings).toEqual([
      expect.stringMatching(/backlog is growing: 12 events pending/),
      expect.stringMatching(/backlog is growing: 30 events pending, oldest 20 s old/),
    ]);
    expect(log.mock.calls.map((call) => String(call[0]))).toEqual([
      expect.stringMatching(/back to 0 pending events/),
    ]);
  });
});
