import { Injectable } from '@nestjs/common';
import { EncryptionHealth } from '../ports/encryption-health.port';
import { StorageHealth } from '../ports/storage-health.port';

export interface ComponentStatus {
  readonly up: boolean;
  /** Why it is down; safe to show (no secret, no key material). */
  readonly reason?: string;
}

export interface ServicePlatformReadinessReport {
  readonly ready: boolean;
  readonly database: ComponentStatus;
  readonly encryption: ComponentStatus;
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
  ) {}

  private inFlight: Promise<ServicePlatformReadinessReport> | undefined;

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
    const [database, encryption] = await Promise.all([
      // The driver's message names hosts and ports: keep it for logs, not for the probe's answer.
      this.storage.ping(timeoutMs).then(up, () => down('the database did not answer')),
      this.encryption
        .check()
        .then(up, (error: unknown) => down(error instanceof Error ? error.message : String(error))),
    ]);
    return { ready: database.up && encryption.up, database, encryption };
  }
}

function up(): ComponentStatus {
  return { up: true };
}

function down(reason: string): ComponentStatus {
  return { up: false, reason };
}
