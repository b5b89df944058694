import type { Redis } from 'ioredis';
import { PlatformEventTransport } from '../../application/ports/platform-event-transport.port';
import { withTimeout } from '../../application/with-timeout';
import type { PlatformEventPayload } from '../../domain/events/platform-change.events';

/**
 * Publishes events on Redis pub/sub as Nest's Redis transport does (channel = event type, message
 * = JSON `{pattern, data}`), so that `@EventPattern('platform.registered')` handlers of Nest
 * microservices receive them. Pub/sub keeps nothing for absent subscribers: the outbox keeps an
 * event until a publish succeeded, so a Redis outage delays events but loses none.
 */
export class RedisPlatformEventTransport extends PlatformEventTransport {
  readonly enabled = true;

  constructor(private readonly client: Redis) {
    super();
  }

  async publish(channel: string, payload: PlatformEventPayload): Promise<void> {
    await this.client.publish(channel, JSON.stringify({ pattern: channel, data: payload }));
  }

  onReconnect(listener: () => void): void {
    let readyBefore = this.client.status === 'ready';
    this.client.on('ready', () => {
      if (readyBefore) listener();
      readyBefore = true;
    });
  }

  ping(timeoutMs: number): Promise<boolean> {
    return withTimeout(this.client.ping(), timeoutMs, 'no answer').then(
      (answer) => answer === 'PONG',
      () => false,
    );
  }
}
