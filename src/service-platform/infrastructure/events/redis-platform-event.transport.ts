import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ClientRedis } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { PlatformEventTransport } from '../../application/ports/platform-event-transport.port';
import { withTimeout } from '../../application/with-timeout';
import type { PlatformEventPayload } from '../../domain/events/platform-change.events';
import { redisConnectionOptions } from './redis-connection.options';

/**
 * Publishes events with Nest's Redis transport (`ClientProxy.emit`, `Transport.REDIS`): channel =
 * event type, message = `{pattern, data}`, which `@EventPattern('platform.registered')` handlers
 * of Nest microservices receive. Pub/sub keeps nothing for absent subscribers: the outbox keeps an
 * event until a publish succeeded, so a Redis outage delays events but loses none.
 */
@Injectable()
export class RedisPlatformEventTransport
  extends PlatformEventTransport
  implements OnApplicationShutdown
{
  readonly enabled = true;
  private readonly client: ClientRedis;

  constructor(redisUrl: string) {
    super();
    this.client = new ClientRedis(redisConnectionOptions(redisUrl));
  }

  async publish(channel: string, payload: PlatformEventPayload): Promise<void> {
    await lastValueFrom(this.client.emit(channel, payload), { defaultValue: undefined });
  }

  onReconnect(listener: () => void): void {
    // The publishing connection's own `ready`: the client's status turns `connected` as soon as
    // either of its two connections is ready, and a retry before the publisher is would fail
    // again and back off further.
    let readyBefore = false;
    this.client.on('ready', (connection) => {
      if (connection !== 'pub') return;
      if (readyBefore) listener();
      readyBefore = true;
    });
  }

  ping(timeoutMs: number): Promise<boolean> {
    const probe = (async () => {
      await this.client.connect();
      const [publisher] = this.client.unwrap<[Redis, Redis]>();
      return (await publisher.ping()) === 'PONG';
    })();
    return withTimeout(probe, timeoutMs, 'no answer').catch(() => false);
  }

  /** After the relay stopped (module destroy), so that its last round can still publish. */
  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
