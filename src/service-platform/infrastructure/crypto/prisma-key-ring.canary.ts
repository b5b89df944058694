import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EncryptionHealth } from '../../application/ports/encryption-health.port';
import { DataKeyWrapper } from './data-key-wrapper';
import type { TenantDataKey } from '../persistence/generated/client';
import {
  PrismaMasterKeyRegistry,
  asWriteRefusal,
  isKeyRingError,
} from './prisma-master-key-registry';
import { PrismaService } from '../persistence/prisma.service';

/**
 * Fail closed: proves that the key ring opens the data already stored, by unwrapping one data key
 * per master key id in use, that it holds every id in use with the registered material
 * (`master_keys`), and registers the primary if still unknown, so that a later instance or
 * rotation with other material for it is refused. A missing or wrong master key makes the
 * service not ready and refuses every write but deactivation, the kill switch (503), instead of
 * failing request by request or writing data the other instances cannot open.
 */
@Injectable()
export class PrismaKeyRingCanary extends EncryptionHealth implements OnApplicationBootstrap {
  private readonly logger = new Logger('ServicePlatformKeyRing');

  constructor(
    private readonly prisma: PrismaService,
    private readonly wrapper: DataKeyWrapper,
    private readonly masterKeys: PrismaMasterKeyRegistry,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.check();
    } catch (error) {
      // Not fatal here (the database may be down at start): readiness keeps reporting it.
      this.logger.error(`Key ring canary failed: ${(error as Error).message}`);
    }
  }

  async check(): Promise<void> {
    for (const sample of await this.samplePerMasterKey()) {
      this.wrapper.unwrap(sample.tenantId, sample.id, {
        masterKeyId: sample.masterKeyId,
        iv: sample.wrapIv,
        authTag: sample.wrapAuthTag,
        ciphertext: sample.wrappedKey,
      });
    }
    try {
      await this.masterKeys.assertUsable(this.wrapper.primaryMasterKeyId);
    } catch (error) {
      if (isKeyRingError(error)) throw error;
      // Only the message reaches the readiness answer; the cause (naming hosts) stays for logs.
      throw new Error('not checked: the database did not answer', { cause: error });
    }
  }

  async assertWritable(): Promise<void> {
    await this.masterKeys.assertWritable().catch((error: unknown) => {
      throw asWriteRefusal(error);
    });
  }

  /** One stored data key per master key id in use. */
  private async samplePerMasterKey(): Promise<TenantDataKey[]> {
    try {
      const inUse = await this.prisma.tenantDataKey.groupBy({ by: ['masterKeyId'] });
      const samples = await Promise.all(
        inUse.map(({ masterKeyId }) =>
          this.prisma.tenantDataKey.findFirst({ where: { masterKeyId } }),
        ),
      );
      return samples.filter((sample) => sample !== null);
    } catch {
      // The driver's message names hosts; the database's own health check reports the outage.
      throw new Error('not checked: the database did not answer');
    }
  }
}
