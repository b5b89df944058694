import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { newTimeOrderedId } from '../../domain/identifiers';
import { EncryptionHealth } from '../../application/ports/encryption-health.port';
import { ConfigDecryptionError } from '../../domain/platform.errors';
import { DataKeyStore, type DataKey } from './data-key.store';
import { DataKeyUnwrapError, DataKeyWrapper } from './data-key-wrapper';
import type { TenantDataKey as TenantDataKeyRow } from '../persistence/generated/client';
import { PrismaMasterKeyRegistry, asWriteRefusal } from './prisma-master-key-registry';
import { PrismaTransactionHost } from '../persistence/prisma-transaction.host';

const DATA_KEY_BYTES = 32;
/** Unwrapped keys kept in memory (data keys never change material; only their wrapping does). */
const CACHE_LIMIT = 10_000;

/**
 * Tenant data keys in `tenant_data_keys`. Queries go through the surrounding transaction when
 * there is one (never a second connection from inside a transaction, which could exhaust the
 * pool); a key created in a transaction that rolls back is simply never referenced.
 */
@Injectable()
export class PrismaDataKeyStore extends DataKeyStore {
  private readonly unwrapped = new Map<string, DataKey>();

  constructor(
    private readonly transactions: PrismaTransactionHost,
    private readonly wrapper: DataKeyWrapper,
    private readonly masterKeys: PrismaMasterKeyRegistry,
    private readonly encryption: EncryptionHealth,
  ) {
    super();
  }

  async currentKey(tenantId: string): Promise<DataKey> {
    // Nothing is encrypted by an instance whose ring does not cover the stored data (503).
    await this.encryption.assertWritable();
    const newest = await this.transactions.client.tenantDataKey.findFirst({
      where: { tenantId },
      orderBy: { id: 'desc' },
    });
    return newest === null ? this.createKey(tenantId) : this.open(newest);
  }

  async keyById(tenantId: string, dataKeyId: string): Promise<DataKey> {
    const cached = this.unwrapped.get(dataKeyId);
    if (cached !== undefined && cached.tenantId === tenantId) return cached;
    const row = await this.transactions.client.tenantDataKey.findUnique({
      where: { id: dataKeyId },
    });
    if (row === null || row.tenantId !== tenantId) {
      throw new ConfigDecryptionError(`data key ${dataKeyId} is not a key of tenant ${tenantId}`);
    }
    return this.open(row);
  }

  /**
   * First key of a tenant. A transaction-scoped advisory lock per tenant makes concurrent first
   * writes of one tenant agree on a single key instead of each creating its own. The primary
   * master key must match its registered check value (or be registered now): a wrong key for
   * that id never wraps a data key.
   */
  private createKey(tenantId: string): Promise<DataKey> {
    return this.transactions.run(async () => {
      const db = this.transactions.client;
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`data-key:${tenantId}`}, 0))`;
      const created = await db.tenantDataKey.findFirst({
        where: { tenantId },
        orderBy: { id: 'desc' },
      });
      if (created !== null) return this.open(created); // another writer won the race
      await this.masterKeys
        .assertUsable(this.wrapper.primaryMasterKeyId)
        .catch((error: unknown) => {
          throw asWriteRefusal(error);
        });
      const key: DataKey = {
        id: newTimeOrderedId(),
        tenantId,
        material: randomBytes(DATA_KEY_BYTES),
      };
      const wrapped = this.wrapper.wrap(tenantId, key.id, key.material);
      await db.tenantDataKey.create({
        data: {
          id: key.id,
          tenantId,
          wrappedKey: new Uint8Array(wrapped.ciphertext),
          wrapIv: new Uint8Array(wrapped.iv),
          wrapAuthTag: new Uint8Array(wrapped.authTag),
          masterKeyId: wrapped.masterKeyId,
        },
      });
      return this.remember(key);
    });
  }

  private open(row: TenantDataKeyRow): DataKey {
    const cached = this.unwrapped.get(row.id);
    if (cached !== undefined && cached.tenantId === row.tenantId) return cached;
    try {
      const material = this.wrapper.unwrap(row.tenantId, row.id, {
        masterKeyId: row.masterKeyId,
        iv: row.wrapIv,
        authTag: row.wrapAuthTag,
        ciphertext: row.wrappedKey,
      });
      return this.remember({ id: row.id, tenantId: row.tenantId, material });
    } catch (error) {
      if (error instanceof DataKeyUnwrapError) throw new ConfigDecryptionError(error.message);
      throw error;
    }
  }

  private remember(key: DataKey): DataKey {
    if (this.unwrapped.size >= CACHE_LIMIT) {
      const oldest = this.unwrapped.keys().next();
      if (oldest.done !== true) this.unwrapped.delete(oldest.value);
    }
    this.unwrapped.set(key.id, key);
    return key;
  }
}
