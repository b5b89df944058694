import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { OutboxSignal } from '../ports/outbox-signal.port';
import { PlatformEventTransport } from '../ports/platform-event-transport.port';
import { OutboxStore, type ClaimedOutboxEvent } from '../ports/outbox-store.port';
import {
  OUTBOX_RELAY_SETTINGS,
  retryDelayMs,
  type OutboxRelaySettings,
} from './outbox-relay.settings';
import { ServicePlatformMetrics } from '../metrics/service-platform-metrics';
import { FanOutError, PlatformEventDispatcher } from './platform-event.dispatcher';
import { messageOf } from '../error-message';

/**
 * Moves committed events from the outbox to the event bus (and so to the audit trail, Redis and
 * the host app's handlers). Several instances may relay from one database: each leases the
 * events it dispatches (`FOR UPDATE SKIP LOCKED`), so none is dispatched by two at once.
 * - Order: only the oldest pending event of a platform can be leased, so a platform's events are
 *   dispatched one after the other in commit order.
 * - Delivery: an event is marked done only after every fan-out target succeeded; otherwise it is
 *   retried with exponential backoff. Targets may therefore see an event more than once (at least
 *   once): consumers de-duplicate by `event_id`.
 * - Latency: PostgreSQL NOTIFY wakes the relay when a change commits; polling covers lost
 *   notifications and retries.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ServicePlatformOutbox');
  /** This instance's lease owner id (fits `leased_by`). */
  readonly owner = `${hostname().slice(0, 40)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly timers: NodeJS.Timeout[] = [];
  private draining: Promise<void> | null = null;
  private wakeAgain = false;
  private running = false;
  private lastReportedBacklog = 0;
  private reconnectHooked = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly signal: OutboxSignal,
    private readonly dispatcher: PlatformEventDispatcher,
    private readonly transport: PlatformEventTransport,
    @Inject(OUTBOX_RELAY_SETTINGS) private readonly settings: OutboxRelaySettings,
    private readonly metrics: ServicePlatformMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.enabled) this.start();
  }

  /**
   * At shutdown: the round in progress completes, then what is still waiting (the events that
   * requests finishing meanwhile committed) is dispatched; what cannot be delivered now stays in
   * the outbox for the next instance. This runs while the event bus still delivers (its handlers
   * unsubscribe at module destruction, after this provider, which depends on it), and before the
   * Prisma and Redis clients close (application shutdown). A host app that stops its HTTP and gRPC
   * servers before closing the application (as the demo app does on SIGTERM) has every event of
   * its last requests dispatched here.
   */
  async onModuleDestroy(): Promise<void> {
    const wasRunning = this.running;
    await this.stop();
    if (!wasRunning) return;
    // Until nothing claimable is left (failed events wait out their backoff, so it ends).
    await this.drain(() => true).catch((error: unknown) => {
      this.logger.warn(`Last dispatch round before shutdown failed: ${messageOf(error)}`);
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.signal
      .listen(() => this.wake())
      .catch((error: unknown) => {
        this.logger.warn(`LISTEN failed, relying on polling: ${messageOf(error)}`);
      });
    this.every(this.settings.pollIntervalMs, () => this.wake());
    if (!this.reconnectHooked) {
      this.reconnectHooked = true;
      this.transport.onReconnect(() => void this.retryNow());
    }
    this.every(this.settings.pruneIntervalMs, () => void this.prune());
    this.every(this.settings.backlogCheckIntervalMs, () => void this.checkBacklog());
    // After the event bus has bound its handlers (bootstrap of the CQRS module).
    setImmediate(() => this.wake());
  }

  /** Stops polling and listening; resolves once the round in progress has finished. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await this.signal.close().catch(() => undefined);
    await this.draining;
  }

  /** Starts a dispatch round now, or right after the one in progress. */
  wake(): void {
    if (!this.running) return;
    if (this.draining !== null) {
      this.wakeAgain = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) => {
        // Typically the database is unreachable: the next poll tries again.
        this.logger.warn(`Dispatch round failed: ${messageOf(error)}`);
      })
      .finally(() => {
        this.draining = null;
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.wake();
        }
      });
  }

  /** The broker is back: events waiting out their backoff go now. */
  async retryNow(): Promise<void> {
    if (!this.running) return;
    try {
      const due = await this.store.retryNow();
      if (due > 0) this.logger.log(`Event broker reachable again: retrying ${due} events now`);
    } catch (error) {
      this.logger.warn(`Could not reschedule retries: ${messageOf(error)}`);
    }
    this.wake();
  }

  /** Deletes dispatched events older than the retention. */
  async prune(): Promise<number> {
    try {
      const pruned = await this.store.prune(this.settings.retentionMs);
      if (pruned > 0) this.logger.log(`Pruned ${pruned} dispatched events`);
      return pruned;
    } catch (error) {
      this.logger.warn(`Pruning dispatched events failed: ${messageOf(error)}`);
      return 0;
    }
  }

  /** Dispatch rounds while events are waiting; `again` says whether to go round once more. */
  private async drain(again: () => boolean = () => this.running): Promise<void> {
    for (let first = true; first || again(); first = false) {
      const batch = await this.store.claim(
        this.owner,
        this.settings.batchSize,
        this.settings.leaseMs,
        this.dispatcher.targetNames,
      );
      if (batch.length === 0) return;
      // One event per platform in a batch: dispatching them together keeps each platform's order.
      const outcomes = await Promise.all(batch.map((claimed) => this.dispatch(claimed)));
      const delivered = batch.filter((_, index) => outcomes[index] === null);
      // If this fails the leases expire and the events are dispatched again (at least once).
      await this.store.complete(
        delivered.map(({ event }) => event.eventId),
        this.owner,
      );
      const failures = outcomes.filter((failure): failure is string => failure !== null);
      if (failures.length > 0) {
        // One line per round, not one per event: an outage fails every event of the round.
        this.logger.warn(
          `${failures.length} of ${batch.length} events not delivered, retrying with backoff: ${failures[0]}`,
        );
        // Shutting down: with a target down, the rest would fail too, round after round through
        // the whole backlog and past the shutdown's deadline. It waits for the next instance.
        if (!this.running) return;
      }
      // Go round again only when more is known to be waiting: a full batch, or a platform whose
      // next event became claimable now. New commits wake the relay through NOTIFY anyway.
      const more =
        batch.length === this.settings.batchSize || delivered.some((claimed) => claimed.hasNext);
      if (!more) return;
    }
  }

  /** Dispatches one event; returns why it failed (its lease released), or null. */
  private async dispatch({
    event,
    attempt,
    pendingTargets,
  }: ClaimedOutboxEvent): Promise<string | null> {
    try {
      await this.dispatcher.dispatch(event, this.settings.dispatchTimeoutMs, pendingTargets);
      return null;
    } catch (error) {
      this.metrics.recordRelayFailure();
      const delay = retryDelayMs(attempt, this.settings);
      const reason = messageOf(error);
      this.logger.debug(
        `Event ${event.eventId} (${event.type}) attempt ${attempt} failed, retry in ${delay} ms: ${reason}`,
      );
      const delivered = error instanceof FanOutError ? error.delivered : [];
      await this.store
        .release(event.eventId, this.owner, delay, reason, delivered)
        .catch((releaseError: unknown) => {
          // The lease expires on its own; the event is retried then.
          this.logger.warn(`Could not release event ${event.eventId}: ${messageOf(releaseError)}`);
        });
      return `event ${event.eventId} (attempt ${attempt}): ${reason}`;
    }
  }

  private async checkBacklog(): Promise<void> {
    try {
      const { pending, oldestPendingAgeMs } = await this.store.backlog();
      const behind =
        pending >= this.settings.backlogWarnCount ||
        (oldestPendingAgeMs ?? 0) >= this.settings.backlogWarnAgeMs;
      if (behind && pending > this.lastReportedBacklog) {
        this.logger.warn(
          `Outbox backlog is growing: ${pending} events pending, oldest ${Math.round((oldestPendingAgeMs ?? 0) / 1000)} s old ` +
            '(is the event broker reachable? see GET /health/ready)',
        );
      } else if (!behind && this.lastReportedBacklog > 0) {
        this.logger.log(`Outbox backlog is back to ${pending} pending events`);
      }
      this.lastReportedBacklog = behind ? Math.max(pending, 1) : 0;
    } catch (error) {
      this.logger.warn(`Outbox backlog check failed: ${messageOf(error)}`);
    }
  }

  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
