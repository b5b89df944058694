import { Injectable } from '@nestjs/common';
import type { PlatformChangeEvent } from '../../../domain/events/platform-change.events';
import { PlatformEventTransport } from '../../ports/platform-event-transport.port';
import { PlatformEventTarget } from '../platform-event-target';

/**
 * Publishes the event to other services (Redis pub/sub, channel = event type) when a broker is
 * configured; without one, this target does not exist.
 */
@Injectable()
export class BrokerPublishTarget extends PlatformEventTarget {
  readonly name = 'publish';

  constructor(private readonly transport: PlatformEventTransport) {
    super();
  }

  get enabled(): boolean {
    return this.transport.enabled;
  }

  deliver(event: PlatformChangeEvent): Promise<void> {
    return this.transport.publish(event.type, event.toPayload());
  }
}
