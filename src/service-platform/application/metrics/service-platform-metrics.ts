import { Inject, Injectable } from '@nestjs/common';
import { ServicePlatformReadiness } from '../health/service-platform-readiness';

/** What the module's key ring holds (ids only, never key material). */
export interface KeyRingInfo {
  readonly primaryKeyId: string;
  readonly keyIds: readonly string[];
}

export const KEY_RING_INFO = Symbol('KEY_RING_INFO');

/** The module's own numbers at one moment, for a host's metrics endpoint (Prometheus or other). */
export interface ServicePlatformMetricsSnapshot {
  /** Event dispatches that failed and were scheduled for a retry, since start. */
  readonly relayFailures: number;
  /** `getPlatform` answers from the read cache, and lookups that went to the database. */
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** Events not yet dispatched, and the age of the oldest; null when unknown. */
  readonly outbox: { readonly pending: number; readonly oldestPendingAgeMs: number | null } | null;
  readonly keyRing: KeyRingInfo & {
    /** Whether the key ring opens the stored data (the readiness check's encryption status). */
    readonly ready: boolean;
  };
  readonly databaseUp: boolean;
}

/**
 * Counters the module keeps about itself, and a snapshot with its readiness state: a host maps
 * them to its metrics (the demo app: prom-client at `GET /metrics`). Cheap to count; the
 * snapshot runs the readiness check (a few small queries).
 */
@Injectable()
export class ServicePlatformMetrics {
  private relayFailures = 0;
  private cacheHits = 0;
  private cacheMisses = 0;

  constructor(
    private readonly readiness: ServicePlatformReadiness,
    @Inject(KEY_RING_INFO) private readonly keyRing: KeyRingInfo,
  ) {}

  recordRelayFailure(): void {
    this.relayFailures++;
  }

  recordCacheLookup(hit: boolean): void {
    if (hit) this.cacheHits++;
    else this.cacheMisses++;
  }

  /** The counters alone (no database access). */
  counters(): Pick<ServicePlatformMetricsSnapshot, 'relayFailures' | 'cacheHits' | 'cacheMisses'> {
    return {
      relayFailures: this.relayFailures,
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
    };
  }

  async snapshot(timeoutMs = 2000): Promise<ServicePlatformMetricsSnapshot> {
    const report = await this.readiness.check(timeoutMs);
    return {
      ...this.counters(),
      outbox: report.events.outbox,
      keyRing: { ...this.keyRing, ready: report.encryption.up },
      databaseUp: report.database.up,
    };
  }
}
