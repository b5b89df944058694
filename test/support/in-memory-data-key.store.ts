import { randomBytes } from 'node:crypto';
import { newTimeOrderedId } from '../../src/service-platform/domain/identifiers';
import { ConfigDecryptionError } from '../../src/service-platform/domain/platform.errors';
import {
  DataKeyStore,
  type DataKey,
} from '../../src/service-platform/infrastructure/crypto/data-key.store';
import {
  DataKeyUnwrapError,
  type DataKeyWrapper,
  type WrappedDataKey,
} from '../../src/service-platform/infrastructure/crypto/data-key-wrapper';

/** Fake data-key store for unit tests: keeps keys wrapped, like the real one, in a Map. */
export class InMemoryDataKeyStore extends DataKeyStore {
  readonly rows = new Map<string, { tenantId: string; wrapped: WrappedDataKey }>();

  constructor(private readonly wrapper: DataKeyWrapper) {
    super();
  }

  currentKey(tenantId: string): Promise<DataKey> {
    const ids = [...this.rows].filter(([, row]) => row.tenantId === tenantId).map(([id]) => id);
    const newest = ids.sort().at(-1);
    if (newest !== undefined) return this.keyById(tenantId, newest);
    return Promise.resolve(this.createKey(tenantId));
  }

  createKey(tenantId: string): DataKey {
    const key = { id: newTimeOrderedId(), tenantId, material: randomBytes(32) };
    this.rows.set(key.id, { tenantId, wrapped: this.wrapper.wrap(tenantId, key.id, key.material) });
    return key;
  }

  keyById(tenantId: string, dataKeyId: string): Promise<DataKey> {
    const row = this.rows.get(dataKeyId);
    if (row === undefined || row.tenantId !== tenantId) {
      return Promise.reject(
        new ConfigDecryptionError(`data key ${dataKeyId} is not a key of tenant ${tenantId}`),
      );
    }
    try {
      const material = this.wrapper.unwrap(tenantId, dataKeyId, row.wrapped);
      return Promise.resolve({ id: dataKeyId, tenantId, material });
    } catch (error) {
      const message = error instanceof DataKeyUnwrapError ? error.message : String(error);
      return Promise.reject(new ConfigDecryptionError(message));
    }
  }
}
