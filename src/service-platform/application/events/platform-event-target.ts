import type { PlatformChangeEvent } from '../../domain/events/platform-change.events';

/**
 * One place a committed event must reach (the audit trail, the event broker, the host app's
 * event handlers). The relay marks an event done once every target it needs has succeeded, and
 * never delivers it again to a target that already had it.
 */
export abstract class PlatformEventTarget {
  /** Recorded on outbox rows: which targets an event needs, which it reached. */
  abstract readonly name: string;
  /** A target that is not configured (no broker) is not needed by anyone. */
  abstract readonly enabled: boolean;
  /** Succeeds once the event has reached this target (idempotent: it may be asked again). */
  abstract deliver(event: PlatformChangeEvent): Promise<void>;
}

/** The multi-provider token under which the module lists its targets. */
export const PLATFORM_EVENT_TARGETS = Symbol('PLATFORM_EVENT_TARGETS');
