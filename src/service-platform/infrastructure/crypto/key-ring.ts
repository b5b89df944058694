import { createHmac } from 'node:crypto';

/** One AES-256 key of the ring, named by an id that is stored beside every ciphertext. */
export interface EncryptionKey {
  readonly id: string;
  readonly material: Buffer;
}

/** The key ring is unusable; the message names key ids and positions, never key material. */
export class InvalidKeyRingError extends Error {
  constructor(message: string) {
    super(`ENCRYPTION_KEYS is invalid: ${message}`);
    this.name = 'InvalidKeyRingError';
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const KEY_BYTES = 32;
const CHECK_VALUE_CONTEXT = 'service-platform/master-key-check/v1';

/**
 * The key check value of a master key: HMAC-SHA256(material, a fixed context). Stored per key id,
 * it tells whether two instances hold the same material for one id without revealing the key.
 */
export function checkValueOf(material: Uint8Array): Buffer {
  return createHmac('sha256', material).update(CHECK_VALUE_CONTEXT).digest();
}

/**
 * The master keys, from `ENCRYPTION_KEYS` = `id:base64(32 bytes)[,id:base64...]`. The first key
 * encrypts new data; every key can decrypt, so a new key is added first and an old one is removed
 * once nothing uses it any more.
 */
export class KeyRing {
  private constructor(private readonly keys: readonly EncryptionKey[]) {}

  static parse(spec: string): KeyRing {
    const entries = spec
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
    if (entries.length === 0) throw new InvalidKeyRingError('no key given');
    const keys: EncryptionKey[] = entries.map((entry, index) => {
      const separator = entry.indexOf(':');
      const id = separator < 0 ? '' : entry.slice(0, separator);
      const encoded = separator < 0 ? '' : entry.slice(separator + 1);
      if (!KEY_ID.test(id)) {
        throw new InvalidKeyRingError(
          `entry ${index + 1} must be 'id:base64key' with an id of 1-64 characters [A-Za-z0-9._-]`,
        );
      }
      const material = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
      if (material.length !== KEY_BYTES) {
        throw new InvalidKeyRingError(
          `key '${id}' must be ${KEY_BYTES} random bytes in base64 (e.g. \`openssl rand -base64 32\`)`,
        );
      }
      return { id, material };
    });
    const ids = new Set<string>();
    for (const key of keys) {
      if (ids.has(key.id)) throw new InvalidKeyRingError(`key id '${key.id}' appears twice`);
      ids.add(key.id);
    }
    return new KeyRing(keys);
  }

  /** The key new encryptions use: the first of the ring. */
  get primary(): EncryptionKey {
    return this.keys[0] as EncryptionKey;
  }

  get ids(): readonly string[] {
    return this.keys.map((key) => key.id);
  }

  find(id: string): EncryptionKey | undefined {
    return this.keys.find((key) => key.id === id);
  }
}
