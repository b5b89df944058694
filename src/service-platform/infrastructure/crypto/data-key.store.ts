/** A tenant data key, unwrapped (kept in memory only). */
export interface DataKey {
  readonly id: string;
  readonly tenantId: string;
  readonly material: Buffer;
}

/**
 * Where tenant data keys live. Each tenant has one or more data keys; the newest encrypts new
 * configurations. Implementations store keys wrapped by a master key and never persist material.
 */
export abstract class DataKeyStore {
  /** The tenant's newest data key, created (and wrapped) on first use. */
  abstract currentKey(tenantId: string): Promise<DataKey>;

  /** A data key of that tenant; `ConfigDecryptionError` when it is not the tenant's or unusable. */
  abstract keyById(tenantId: string, dataKeyId: string): Promise<DataKey>;
}
