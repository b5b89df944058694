import { Injectable } from '@nestjs/common';
import { ConfigCipher } from '../ports/config-cipher.port';
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

const PROBE_BINDING = { tenantId: 'readiness', serviceName: 'readiness', platformId: 'readiness' };

/**
 * Whether the module can serve: its database answers and its key ring can seal and open data.
 * Host apps expose it in their readiness endpoint (the demo app does, through Terminus).
 */
@Injectable()
export class ServicePlatformReadiness {
  constructor(
    private readonly storage: StorageHealth,
    private readonly cipher: ConfigCipher,
  ) {}

  async check(timeoutMs = 2000): Promise<ServicePlatformReadinessReport> {
    const [database, encryption] = await Promise.all([
      // The driver's message names hosts and ports: keep it for logs, not for the probe's answer.
      this.storage.ping(timeoutMs).then(up, () => down('the database did not answer')),
      this.roundTrip().then(up, (error: unknown) =>
        down(error instanceof Error ? error.message : String(error)),
      ),
    ]);
    return { ready: database.up && encryption.up, database, encryption };
  }

  private async roundTrip(): Promise<void> {
    const probe = { client_id: 'readiness', client_secret: 'readiness' };
    const opened = await this.cipher.decrypt(
      await this.cipher.encrypt(probe, PROBE_BINDING),
      PROBE_BINDING,
    );
    if (opened.client_secret !== probe.client_secret)
      throw new Error('round trip changed the data');
  }
}

function up(): ComponentStatus {
  return { up: true };
}

function down(reason: string): ComponentStatus {
  return { up: false, reason };
}
