import { ConfigDecryptionError } from '../../domain/platform.errors';
import type { ConfigBinding, EncryptedConfig } from '../../application/ports/config-cipher.port';
import { AesGcmConfigCipher } from './aes-gcm-config.cipher';
import { KeyRing } from './key-ring';

const key = (byte: number): string => Buffer.alloc(32, byte).toString('base64');
const binding: ConfigBinding = {
  tenantId: '22222222-2222-4222-8222-222222222222',
  serviceName: 'outlook',
  platformId: '11111111-1111-4111-8111-111111111111',
};
const config = { client_id: 'client', client_secret: 'top-secret', additional_data: { a: 1 } };

function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}

describe('AesGcmConfigCipher', () => {
  const cipher = new AesGcmConfigCipher(KeyRing.parse(`k1:${key(1)}`));

  it('round-trips a configuration under the primary key id', async () => {
    const sealed = await cipher.encrypt(config, binding);
    expect(sealed.keyId).toBe('k1');
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.authTag).toHaveLength(16);
    expect(Buffer.from(sealed.ciphertext).toString('utf8')).not.toContain('top-secret');
    await expect(cipher.decrypt(sealed, binding)).resolves.toEqual(config);
  });

  it('uses a fresh IV (and so a different ciphertext) for every encryption', async () => {
    const sealed = await Promise.all(
      Array.from({ length: 50 }, () => cipher.encrypt(config, binding)),
    );
    expect(new Set(sealed.map((s) => Buffer.from(s.iv).toString('hex'))).size).toBe(50);
    expect(new Set(sealed.map((s) => Buffer.from(s.ciphertext).toString('hex'))).size).toBe(50);
  });

  it('fails on any flipped byte of ciphertext, IV or tag', async () => {
    const sealed = await cipher.encrypt(config, binding);
    const parts = ['ciphertext', 'iv', 'authTag'] as const;
    for (const part of parts) {
      for (let index = 0; index < sealed[part].length; index++) {
        const tampered: EncryptedConfig = { ...sealed, [part]: flipByte(sealed[part], index) };
        await expect(cipher.decrypt(tampered, binding)).rejects.toThrow(ConfigDecryptionError);
      }
    }
  });

  it.each([
    ['tenant', { ...binding, tenantId: '33333333-3333-4333-8333-333333333333' }],
    ['service', { ...binding, serviceName: 'gmail' }],
    ['row', { ...binding, platformId: '44444444-4444-4444-8444-444444444444' }],
  ])('fails when moved to another %s (wrong AAD)', async (_label, other) => {
    const sealed = await cipher.encrypt(config, binding);
    await expect(cipher.decrypt(sealed, other)).rejects.toThrow(
      /cannot be decrypted: authentication failed/,
    );
  });

  it('fails with a clear error on an unknown key id, and on a truncated IV or tag', async () => {
    const sealed = await cipher.encrypt(config, binding);
    await expect(cipher.decrypt({ ...sealed, keyId: 'k9' }, binding)).rejects.toThrow(
      "encrypted with key 'k9', which is not in the key ring",
    );
    await expect(cipher.decrypt({ ...sealed, iv: sealed.iv.slice(1) }, binding)).rejects.toThrow(
      ConfigDecryptionError,
    );
    await expect(
      cipher.decrypt({ ...sealed, authTag: sealed.authTag.slice(4) }, binding),
    ).rejects.toThrow(ConfigDecryptionError);
  });

  it('fails with the same key id but other key material', async () => {
    const sealed = await cipher.encrypt(config, binding);
    const impostor = new AesGcmConfigCipher(KeyRing.parse(`k1:${key(9)}`));
    await expect(impostor.decrypt(sealed, binding)).rejects.toThrow(ConfigDecryptionError);
  });

  it('keeps old rows readable after a new primary key is added', async () => {
    const sealed = await cipher.encrypt(config, binding);
    const rotated = new AesGcmConfigCipher(KeyRing.parse(`k2:${key(2)},k1:${key(1)}`));
    await expect(rotated.decrypt(sealed, binding)).resolves.toEqual(config);
    expect((await rotated.encrypt(config, binding)).keyId).toBe('k2');
  });

  it('never puts plaintext or key material in its error messages', async () => {
    const sealed = await cipher.encrypt(config, binding);
    const error = await cipher
      .decrypt({ ...sealed, ciphertext: flipByte(sealed.ciphertext, 0) }, binding)
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).not.toMatch(/top-secret|client/);
    expect((error as Error).message).not.toContain(key(1));
  });
});
