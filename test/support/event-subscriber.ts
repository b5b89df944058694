import { Redis } from 'ioredis';
import { PLATFORM_EVENT_TYPES } from '../../src/service-platform/domain/events/platform-event-type';
import type { PlatformEventPayload } from '../../src/service-platform/domain/events/platform-change.events';

/** One message as it arrived: its channel and the `data` of Nest's `{pattern, data}` packet. */
export interface ReceivedEvent {
  readonly channel: string;
  readonly pattern: unknown;
  readonly data: PlatformEventPayload;
}

/**
 * A plain Redis subscriber on the four event channels that records every message, as an
 * independent witness of what was published (it keeps re-subscribing across Redis restarts).
 */
export class EventSubscriber {
  readonly received: ReceivedEvent[] = [];

  private constructor(private readonly redis: Redis) {}

  static async start(url: string): Promise<EventSubscriber> {
    const redis = new Redis(url, { retryStrategy: () => 100, maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    const subscriber = new EventSubscriber(redis);
    redis.on('message', (channel: string, message: string) => {
      const packet = JSON.parse(message) as { pattern: unknown; data: PlatformEventPayload };
      subscriber.received.push({ channel, pattern: packet.pattern, data: packet.data });
    });
    await redis.subscribe(...PLATFORM_EVENT_TYPES);
    return subscriber;
  }

  /** Messages about one platform, in arrival order. */
  of(platformId: string): ReceivedEvent[] {
    return this.received.filter((event) => event.data.platform_id === platformId);
  }

  distinctEventIds(): Set<string> {
    return new Set(this.received.map((event) => event.data.event_id));
  }

  /** Waits until `done()` holds (polling), or fails after `timeoutMs`. */
  async waitFor(done: () => boolean, timeoutMs = 15_000, what = 'events'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${what} (${this.received.length} received)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}
