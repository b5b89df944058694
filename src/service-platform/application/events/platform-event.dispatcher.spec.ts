import type { EventBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  PlatformDeactivatedEvent,
  type PlatformChangeEvent,
} from '../../domain/events/platform-change.events';
import { FanOutError, PlatformEventDispatcher } from './platform-event.dispatcher';

type Target = (event: PlatformChangeEvent) => Promise<void>;

/** An event bus that calls the handlers synchronously and forgets their outcome, as Nest's does. */
function busWith(handlers: (() => readonly Target[]) | undefined): EventBus {
  return {
    publish(event: PlatformChangeEvent) {
      for (const handler of handlers?.() ?? []) void handler(event).catch(() => undefined);
    },
  } as unknown as EventBus;
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
    let targets: Target[] = [];
    const dispatcher = new PlatformEventDispatcher(busWith(() => targets));
    targets = Object.entries(behaviour).map(([name, work]) => {
      dispatcher.addTarget(name);
      return (event: PlatformChangeEvent) => dispatcher.deliver(event, name, work);
    });
    return dispatcher;
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

  it('rejects when a target does not finish in time, and when no handler reports at all', async () => {
    const slow = setUp({ publish: () => new Promise(() => undefined) });
    await expect(slow.dispatch(anEvent(), 50)).rejects.toThrow('publish: did not finish in 50 ms');

    const unbound = new PlatformEventDispatcher(busWith(undefined));
    unbound.addTarget('audit');
    await expect(unbound.dispatch(anEvent(), 50)).rejects.toThrow(FanOutError);
  });

  it('outside a dispatch, a handler failure is thrown to the caller as usual', async () => {
    const dispatcher = new PlatformEventDispatcher(busWith(undefined));
    await expect(
      dispatcher.deliver(anEvent(), 'audit', () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
  });
});
