import type { PlatformChangeEvent } from '../../domain/events/platform-change.events';

export interface ClaimedOutboxEvent {
  readonly event: PlatformChangeEvent;
  /** Dispatch attempts including this one. */
  readonly attempt: number;
  /** Whether its platform has a later pending event (claimable once this one is done). */
  readonly hasNext: boolean;
  /** The targets it must still reach (those an earlier attempt reached are left out). */
  readonly pendingTargets: readonly string[];
}

export interface OutboxBacklog {
  /** Events not yet dispatched to every target. */
  readonly pending: number;
  /** Age of the oldest of them (ms), null when none is pending. */
  readonly oldestPendingAgeMs: number | null;
}

/** The relay's side of the outbox. */
export abstract class OutboxStore {
  /**
   * Leases up to `limit` pending events to `owner` for `leaseMs`, oldest first and at most one
   * per platform (the oldest pending one: a platform's next event waits until its previous one
   * is done, which keeps per-platform order). An event leased by another relay is skipped, and
   * so is one whose required targets are not all among `targets` (the caller's).
   */
  abstract claim(
    owner: string,
    limit: number,
    leaseMs: number,
    targets: readonly string[],
  ): Promise<ClaimedOutboxEvent[]>;

  /** Marks the events dispatched (those whose lease `owner` still holds), in one statement. */
  abstract complete(eventIds: readonly string[], owner: string): Promise<void>;

  /**
   * Gives the lease back after a failed attempt, recording the targets it did reach
   * (`delivered`); the event is retried after `retryInMs`.
   */
  abstract release(
    eventId: string,
    owner: string,
    retryInMs: number,
    error: string,
    delivered: readonly string[],
  ): Promise<void>;

  /** Makes every event waiting for a retry due now (the broker is back); returns how many. */
  abstract retryNow(): Promise<number>;

  /** Deletes events dispatched more than `olderThanMs` ago; returns how many. */
  abstract prune(olderThanMs: number): Promise<number>;

  abstract backlog(): Promise<OutboxBacklog>;
}
