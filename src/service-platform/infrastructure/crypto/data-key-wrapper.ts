import { Injectable } from '@nestjs/common';
import { aadOf, open, seal, type Sealed } from './aes-gcm';
import { KeyRing } from './key-ring';

const AAD_CONTEXT = 'service-platform/data-key/v1';

/** A data key as stored: wrapped by the master key `masterKeyId`. */
export interface WrappedDataKey extends Sealed {
  readonly masterKeyId: string;
}

/** Why a wrapped data key cannot be opened; the message names key ids, never key material. */
export class DataKeyUnwrapError extends Error {
  constructor(
    message: string,
    readonly masterKeyId: string,
  ) {
    super(message);
    this.name = 'DataKeyUnwrapError';
  }
}

/**
 * Wraps data keys with the primary master key of the ring and unwraps them with whichever
 * master key wrapped them; the AAD binds a wrapped key to its tenant and id.
 */
@Injectable()
export class DataKeyWrapper {
  constructor(private readonly keyRing: KeyRing) {}

  get primaryMasterKeyId(): string {
    return this.keyRing.primary.id;
  }

  wrap(tenantId: string, dataKeyId: string, material: Uint8Array): WrappedDataKey {
    const master = this.keyRing.primary;
    return {
      masterKeyId: master.id,
      ...seal(master.material, material, aadOf(AAD_CONTEXT, tenantId, dataKeyId)),
    };
  }

  unwrap(tenantId: string, dataKeyId: string, wrapped: WrappedDataKey): Buffer {
    const master = this.keyRing.find(wrapped.masterKeyId);
    if (master === undefined) {
      throw new DataKeyUnwrapError(
        `data key ${dataKeyId} is wrapped with master key '${wrapped.masterKeyId}', which is not in ENCRYPTION_KEYS`,
        wrapped.masterKeyId,
      );
    }
    try {
      return open(master.material, wrapped, aadOf(AAD_CONTEXT, tenantId, dataKeyId));
    } catch {
      throw new DataKeyUnwrapError(
        `master key '${wrapped.masterKeyId}' cannot open data key ${dataKeyId} (wrong key material for that id, or the wrapped key was altered or moved)`,
        wrapped.masterKeyId,
      );
    }
  }
}
