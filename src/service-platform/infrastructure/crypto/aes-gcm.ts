import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  readonly iv: Uint8Array;
  readonly authTag: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** AES-256-GCM with a fresh random 96-bit IV; `aad` is authenticated, not encrypted. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, authTag: cipher.getAuthTag(), ciphertext };
}

/** Opens what `seal` made with the same key and AAD; throws on any other key, AAD or byte. */
export function open(key: Uint8Array, sealed: Sealed, aad: Uint8Array): Buffer {
  if (sealed.iv.length !== IV_BYTES || sealed.authTag.length !== TAG_BYTES) {
    throw new Error('malformed IV or authentication tag');
  }
  const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.authTag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

/** Canonical AAD: a context label and the values the ciphertext is bound to. */
export function aadOf(context: string, ...values: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify([context, ...values]), 'utf8');
}
