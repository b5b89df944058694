import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import {
  PLATFORM_CHANGE_EVENTS,
  type PlatformChangeEvent,
} from '../../../domain/events/platform-change.events';
import { PlatformEventTransport } from '../../ports/platform-event-transport.port';
import { PlatformEventDispatcher } from '../platform-event.dispatcher';

export const PUBLISH_TARGET = 'publish';

/**
 * Fan-out target: publishes the event to other services (Redis pub/sub, channel = event type),
 * when a broker is configured. Without one, events stay in-process (the event bus).
 */
@EventsHandler(...PLATFORM_CHANGE_EVENTS)
export class PublishPlatformEventHandler implements IEventHandler<PlatformChangeEvent> {
  constructor(
    private readonly transport: PlatformEventTransport,
    private readonly dispatcher: PlatformEventDispatcher,
  ) {
    if (transport.enabled) dispatcher.addTarget(PUBLISH_TARGET);
  }

  async handle(event: PlatformChangeEvent): Promise<void> {
    if (!this.transport.enabled) return;
    await this.dispatcher.deliver(event, PUBLISH_TARGET, () =>
      this.transport.publish(event.type, event.toPayload()),
    );
  }
}
