import { randomUUID } from 'node:crypto';
import { InMemoryDataKeyStore } from '../../../../test/support/in-memory-data-key.store';
import type { ConfigBinding, EncryptedConfig } from '../../application/ports/config-cipher.port';
import { ConfigDecryptionError } from '../../domain/platform.errors';
import { DataKeyWrapper } from './data-key-wrapper';
import { EnvelopeConfigCipher } from './envelope-config.cipher';
import { KeyRing } from './key-ring';

const key = (byte: number): string => Buffer.alloc(32, byte).toString('base64');
const config = { client_id: 'client', client_secret: 'top-secret', additional_data: { a: 1 } };

function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}

describe('EnvelopeConfigCipher', () => {
  let store: InMemoryDataKeyStore;
  let cipher: EnvelopeConfigCipher;
  let binding: ConfigBinding;

  beforeEach(() => {
    store = new InMemoryDataKeyStore(new DataKeyWrapper(KeyRing.parse(`k1:${key(1)}`)));
    cipher = new EnvelopeConfigCipher(store);
    binding = { tenantId: randomUUID(), serviceName: 'outlook', platformId: randomUUID() };
  });

  it("round-trips a configuration under the tenant's data key", async () => {
    const sealed = await cipher.encrypt(config, binding);
    expect(store.rows.get(sealed.keyId)?.tenantId).toBe(binding.tenantId);
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.authTag).toHaveLength(16);
    expect(Buffer.from(sealed.ciphertext).toString('utf8')).not.toContain('top-secret');
    await expect(cipher.decrypt(sealed, binding)).resolves.toEqual(config);
  });

  it('gives each tenant its own data key, and reuses it within a tenant', async () => {
    const a1 = await cipher.encrypt(config, binding);
    const a2 = await cipher.encrypt(config, { ...binding, serviceName: 'gmail' });
    const b = await cipher.encrypt(config, { ...binding, tenantId: randomUUID() });
    expect(a1.keyId).toBe(a2.keyId);
    expect(b.keyId).not.toBe(a1.keyId);
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
    for (const part of ['ciphertext', 'iv', 'authTag'] as const) {
      for (let index = 0; index < sealed[part].length; index++) {
        const tampered: EncryptedConfig = { ...sealed, [part]: flipByte(sealed[part], index) };
        await expect(cipher.decrypt(tampered, binding)).rejects.toThrow(ConfigDecryptionError);
      }
    }
  });

  it.each([
    ['service', { serviceName: 'gmail' }],
    ['row', { platformId: '44444444-4444-4444-8444-444444444444' }],
  ])('fails when moved to another %s of the tenant (AAD)', async (_label, change) => {
    const sealed = await cipher.encrypt(config, binding);
    await expect(cipher.decrypt(sealed, { ...binding, ...change })).rejects.toMatchObject({
      name: 'ConfigDecryptionError',
      internalDetail: expect.stringMatching(/^authentication failed/),
    });
  });

  it("fails with a typed error when moved to another tenant (not that tenant's data key)", async () => {
    const sealed = await cipher.encrypt(config, binding);
    const other = { ...binding, tenantId: randomUUID() };
    await cipher.encrypt(config, other); // the other tenant has a key of its own
    await expect(cipher.decrypt(sealed, other)).rejects.toMatchObject({
      name: 'ConfigDecryptionError',
      message: 'The stored platform configuration cannot be decrypted',
      internalDetail: `data key ${sealed.keyId} is not a key of tenant ${other.tenantId}`,
    });
  });

  it('fails with a clear error on an unknown data key, and on a truncated IV or tag', async () => {
    const sealed = await cipher.encrypt(config, binding);
    await expect(cipher.decrypt({ ...sealed, keyId: randomUUID() }, binding)).rejects.toMatchObject(
      { internalDetail: expect.stringMatching(/is not a key of tenant/) },
    );
    await expect(cipher.decrypt({ ...sealed, iv: sealed.iv.slice(1) }, binding)).rejects.toThrow(
      ConfigDecryptionError,
    );
    await expect(
      cipher.decrypt({ ...sealed, authTag: sealed.authTag.slice(4) }, binding),
    ).rejects.toThrow(ConfigDecryptionError);
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

describe('DataKeyWrapper', () => {
  const tenantId = randomUUID();
  const dataKeyId = randomUUID();
  const material = Buffer.alloc(32, 9);

  it('wraps with the primary master key and unwraps with any key of the ring', () => {
    const old = new DataKeyWrapper(KeyRing.parse(`k1:${key(1)}`));
    const wrapped = old.wrap(tenantId, dataKeyId, material);
    expect(wrapped.masterKeyId).toBe('k1');
    const rotated = new DataKeyWrapper(KeyRing.parse(`k2:${key(2)},k1:${key(1)}`));
    expect(rotated.unwrap(tenantId, dataKeyId, wrapped)).toEqual(material);
    expect(rotated.wrap(tenantId, dataKeyId, material).masterKeyId).toBe('k2');
  });

  it('binds a wrapped key to its tenant and id', () => {
    const wrapper = new DataKeyWrapper(KeyRing.parse(`k1:${key(1)}`));
    const wrapped = wrapper.wrap(tenantId, dataKeyId, material);
    expect(() => wrapper.unwrap(randomUUID(), dataKeyId, wrapped)).toThrow(/cannot open data key/);
    expect(() => wrapper.unwrap(tenantId, randomUUID(), wrapped)).toThrow(/cannot open data key/);
  });

  it('names the master key id when it is missing from the ring or wrong', () => {
    const wrapped = new DataKeyWrapper(KeyRing.parse(`k1:${key(1)}`)).wrap(
      tenantId,
      dataKeyId,
      material,
    );
    expect(() =>
      new DataKeyWrapper(KeyRing.parse(`k2:${key(2)}`)).unwrap(tenantId, dataKeyId, wrapped),
    ).toThrow("wrapped with master key 'k1', which is not in ENCRYPTION_KEYS");
    expect(() =>
      new DataKeyWrapper(KeyRing.parse(`k1:${key(7)}`)).unwrap(tenantId, dataKeyId, wrapped),
    ).toThrow("master key 'k1' cannot open data key");
  });
});
