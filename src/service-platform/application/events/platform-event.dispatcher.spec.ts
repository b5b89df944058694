import { randomUUID } from 'node:crypto';
import {
  PlatformDeactivatedEvent,
  type PlatformChangeEvent,
} from '../../domain/events/platform-change.events';
import { type PlatformEventTarget } from './platform-event-target';
import { FanOutError, PlatformEventDispatcher } from './platform-event.dispatcher';

/** A target whose delivery does `work`. */
function target(name: string, work: () => Promise<void>, enabled = true): PlatformEventTarget {
  return { name, enabled, deliver: work };
}

function anEvent(): PlatformChangeEvent {
  return new PlatformDeactivatedEvent({
    eventId: randomUUID(),
    platformId: randomUUID(),
    tenantId: randomUUID(),
    serviceName: 'outlook',
    version: 2,
    actorId: 'a',
    occurredAt: new Date(),
    config: { client_id: 'c', client_secret: '********' },
    changes: { is_active: { before: true, after: false } },
  });
}

describe('PlatformEventDispatcher', () => {
  function setUp(behaviour: Record<string, () => Promise<void>>) {
    return new PlatformEventDispatcher(
      Object.entries(behaviour).map(([name, work]) => target(name, work)),
    );
  }

  it('resolves once every target succeeded', async () => {
    const done: string[] = [];
    const dispatcher = setUp({
      audit: () => {
        done.push('audit');
        return Promise.resolve();
      },
      publish: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        done.push('publish');
      },
    });
    await dispatcher.dispatch(anEvent(), 1_000);
    expect(done.sort()).toEqual(['audit', 'publish']);
  });

  it('rejects with the failing target named when one fails', async () => {
    const dispatcher = setUp({
      audit: () => Promise.resolve(),
      publish: () => Promise.reject(new Error('Redis is down')),
    });
    const failure = await dispatcher.dispatch(anEvent(), 1_000).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FanOutError);
    expect((failure as FanOutError).failures).toEqual(new Map([['publish', 'Redis is down']]));
    expect((failure as FanOutError).delivered).toEqual(['audit']);
  });

  it('runs only the targets asked for: those an earlier attempt reached are skipped', async () => {
    const ran: string[] = [];
    const dispatcher = setUp({
      audit: () => {
        ran.push('audit');
        return Promise.resolve();
      },
      publish: () => {
        ran.push('publish');
        return Promise.resolve();
      },
    });
    await dispatcher.dispatch(anEvent(), 1_000, ['publish']);
    expect(ran).toEqual(['publish']);
  });

  it('rejects when a target does not finish in time', async () => {
    const slow = setUp({ publish: () => new Promise(() => undefined) });
    await expect(slow.dispatch(anEvent(), 50)).rejects.toThrow('publish: did not finish in 50 ms');
  });

  it('a target this instance does not have fails (the row waits for an instance that has it)', async () => {
    const dispatcher = new PlatformEventDispatcher([
      target('audit', () => Promise.resolve()),
      target('publish', () => Promise.resolve(), false),
    ]);
    expect(dispatcher.targetNames).toEqual(['audit']);
    const failure = (await dispatcher
      .dispatch(anEvent(), 50, ['audit', 'publish'])
      .catch((error: unknown) => error)) as FanOutError;
    expect(failure.failures).toEqual(new Map([['publish', 'not configured on this instance']]));
    expect(failure.delivered).toEqual(['audit']);
  });
});
