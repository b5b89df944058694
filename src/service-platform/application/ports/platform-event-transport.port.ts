import type { PlatformEventPayload } from '../../domain/events/platform-change.events';

/** Publishes events to other services (the contract's Redis pub/sub). */
export abstract class PlatformEventTransport {
  /** False when no broker is configured: events then stay in-process. */
  abstract readonly enabled: boolean;

  /** Resolves once the broker accepted the message; rejects (never hangs) when it cannot. */
  abstract publish(channel: string, payload: PlatformEventPayload): Promise<void>;

  /**
   * Calls `listener` whenever the broker becomes reachable again after an outage, so that events
   * waiting for a retry can go at once instead of after their backoff.
   */
  abstract onReconnect(listener: () => void): void;

  /** Whether the broker answers now (readiness detail; events wait in the outbox meanwhile). */
  abstract ping(timeoutMs: number): Promise<boolean>;
}
