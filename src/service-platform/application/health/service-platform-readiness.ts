import { Injectable, Logger } from '@nestjs/common';
import { EncryptionHealth } from '../ports/encryption-health.port';
import { OutboxStore, type OutboxBacklog } from '../ports/outbox-store.port';
import { PlatformEventTransport } from '../ports/platform-event-transport.port';
import { PlatformViewCache, type PlatformViewCacheStatus } from '../ports/platform-view-cache.port';
import { StorageHealth } from '../ports/storage-health.port';
import { withTimeout } from '../with-timeout';
import { messageOf } from '../error-message';

export interface ComponentStatus {
  readonly up: boolean;
  /** Why it is down, in general terms: safe to show to anyone (no id, no host, no key). */
  readonly reason?: string;
  /**
   * Why it is down, for operators: may name master key and data key ids (never key material).
   * Logged when it changes; shown only to authenticated platform admins.
   */
  readonly detail?: string;
}

export interface EventsStatus {
  /** The event broker (Redis): reported, never required — events wait in the outbox. */
  readonly broker: ComponentStatus & { readonly configured: boolean };
  /** Events not yet dispatched; null when the database did not answer. A growing backlog or an
   * old oldest event means a stuck relay or an unreachable broker. */
  readonly outbox: OutboxBacklog | null;
}

export interface ServicePlatformReadinessReport {
  /** Database and encryption, and not shutting down: what serving requires. */
  readonly ready: boolean;
  /** The host app is shutting down (`beginShutdown()`): it takes no new work. */
  readonly shuttingDown: boolean;
  readonly database: ComponentStatus;
  readonly encryption: ComponentStatus;
  readonly events: EventsStatus;
  /** The read cache: reported, never required (a miss reads the database). */
  readonly cache: PlatformViewCacheStatus;
}

/**
 * Whether the module can serve: its database answers and its key ring opens the stored data.
 * Host apps expose it in their readiness endpoint (the demo app does, through Terminus).
 */
@Injectable()
export class ServicePlatformReadiness {
  constructor(
    private readonly storage: StorageHealth,
    private readonly encryption: EncryptionHealth,
    private readonly outbox: OutboxStore,
    private readonly broker: PlatformEventTransport,
    private readonly cache: PlatformViewCache,
  ) {}

  private inFlight: Promise<ServicePlatformReadinessReport> | undefined;
  private shuttingDownSince: number | undefined;

  /**
   * Marks the start of a graceful shutdown (the host app calls it on SIGTERM): from now on the
   * module reports not ready, so that load balancers stop sending new work while requests in
   * flight finish. It cannot be undone.
   */
  beginShutdown(): void {
    this.shuttingDownSince ??= Date.now();
  }

  get shuttingDown(): boolean {
    return this.shuttingDownSince !== undefined;
  }
  private lastEncryptionDetail: string | undefined;
  private readonly logger = new Logger('ServicePlatformReadiness');

  /**
   * Concurrent callers share the check in progress: a flood of unauthenticated probes costs the
   * database one check at a time, not one per request.
   */
  check(timeoutMs = 2000): Promise<ServicePlatformReadinessReport> {
    this.inFlight ??= this.run(timeoutMs).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async run(timeoutMs: number): Promise<ServicePlatformReadinessReport> {
    const [database, keyCheck, outbox, broker] = await Promise.all([
      // The driver's message names hosts and ports: keep it for logs, not for the probe's answer.
      this.storage.ping(timeoutMs).then(up, () => down('the database did not answer')),
      this.encryption
        .check()
        .then(up, (error: unknown) =>
          down('the encryption keys cannot open the stored data', messageOf(error)),
        ),
      withTimeout(this.outbox.backlog(), timeoutMs, 'no answer').catch(() => null),
      this.brokerStatus(timeoutMs),
    ]);
    // Without the database the keys cannot be proven against the stored data: say so, rather
    // than blame the keys.
    const encryption =
      !database.up && !keyCheck.up
        ? down('not checked: the database did not answer', keyCheck.detail)
        : keyCheck;
    this.logEncryptionChange(encryption);
    return {
      ready: database.up && encryption.up && !this.shuttingDown,
      shuttingDown: this.shuttingDown,
      database,
      encryption,
      events: { broker, outbox },
      cache: this.cache.status(),
    };
  }

  /** The key ids behind a failing key ring go to the log once per change, not to the probe. */
  private logEncryptionChange(encryption: ComponentStatus): void {
    const detail = encryption.up ? undefined : encryption.detail;
    // While shutting down the database goes away on purpose: nothing to report.
    if (detail === this.lastEncryptionDetail || this.shuttingDown) return;
    if (detail !== undefined) this.logger.error(`Encryption not ready: ${detail}`);
    else this.logger.log('Encryption ready again: the key ring opens the stored data');
    this.lastEncryptionDetail = detail;
  }

  private async brokerStatus(timeoutMs: number): Promise<EventsStatus['broker']> {
    if (!this.broker.enabled) {
      return {
        configured: false,
        up: false,
        reason: 'no broker configured: events stay in-process',
      };
    }
    const answers = await this.broker.ping(timeoutMs);
    return answers
      ? { configured: true, up: true }
      : { configured: true, up: false, reason: 'the event broker did not answer' };
  }
}

function up(): ComponentStatus {
  return { up: true };
}

function down(reason: string, detail?: string): ComponentStatus {
  return { up: false, reason, ...(detail !== undefined && { detail }) };
}
