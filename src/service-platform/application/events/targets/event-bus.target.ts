import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { PlatformChangeEvent } from '../../../domain/events/platform-change.events';
import { PlatformEventTarget } from '../platform-event-target';

/**
 * The host app's own `@EventsHandler(PlatformRegisteredEvent, …)`: the event is published on
 * the CQRS event bus once it has committed. Being a target of its own, it is published once, not
 * again when another target (the broker) is retried. The bus does not report its handlers'
 * outcomes: a handler's failure is its own (Nest logs it).
 */
@Injectable()
export class EventBusTarget extends PlatformEventTarget {
  readonly name = 'handlers';
  readonly enabled = true;

  constructor(private readonly eventBus: EventBus) {
    super();
  }

  deliver(event: PlatformChangeEvent): Promise<void> {
    this.eventBus.publish(event);
    return Promise.resolve();
  }
}
