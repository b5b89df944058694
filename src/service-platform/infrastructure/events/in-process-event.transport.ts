import { Injectable } from '@nestjs/common';
import { PlatformEventTransport } from '../../application/ports/platform-event-transport.port';

/** No broker configured: events reach the in-process event bus only. */
@Injectable()
export class InProcessEventTransport extends PlatformEventTransport {
  readonly enabled = false;

  publish(): Promise<void> {
    return Promise.reject(new Error('No event broker is configured'));
  }

  onReconnect(): void {
    // Never disconnected.
  }

  ping(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
