import { randomUUID } from 'node:crypto';
import { InMemoryDataKeyStore } from '../../../../test/support/in-memory-data-key.store';
import type { ConfigBinding } from '../../application/ports/config-cipher.port';
import { ConfigDecryptionError } from '../../domain/platform.errors';
import type { DataKey } from './data-key.store';
import { DataKeyWrapper } from './data-key-wrapper';
import { EnvelopeConfigCipher, reencryptConfig } from './envelope-config.cipher';
import { KeyRing } from './key-ring';

const config = { client_id: 'client', client_secret: 'top-secret', additional_data: { a: 1 } };
const dataKey = (tenantId: string, byte: number): DataKey => ({
  id: randomUUID(),
  tenantId,
  material: Buffer.alloc(32, byte),
});

describe('reencryptConfig (key rotation)', () => {
  let store: InMemoryDataKeyStore;
  let cipher: EnvelopeConfigCipher;
  let binding: ConfigBinding;

  beforeEach(() => {
    store = new InMemoryDataKeyStore(
      new DataKeyWrapper(KeyRing.parse(`k1:${Buffer.alloc(32, 1).toString('base64')}`)),
    );
    cipher = new EnvelopeConfigCipher(store);
    binding = { tenantId: randomUUID(), serviceName: 'outlook', platformId: randomUUID() };
  });

  it('moves a configuration to another data key of its tenant, content unchanged', async () => {
    const sealed = await cipher.encrypt(config, binding);
    const from = await store.keyById(binding.tenantId, sealed.keyId);
    const to = dataKey(binding.tenantId, 7);
    const moved = reencryptConfig(sealed, binding, from, to);
    expect(moved.keyId).toBe(to.id);
    expect(Buffer.from(moved.iv).equals(Buffer.from(sealed.iv))).toBe(false);
    // Only the new key opens it, with the new key id in the AAD.
    const back = reencryptConfig(moved, binding, to, from);
    await expect(cipher.decrypt(back, binding)).resolves.toEqual(config);
  });

  it('refuses the wrong source key, another tenant, or a ciphertext of another row', async () => {
    const sealed = await cipher.encrypt(config, binding);
    const from = await store.keyById(binding.tenantId, sealed.keyId);
    const to = dataKey(binding.tenantId, 7);
    expect(() => reencryptConfig(sealed, binding, to, to)).toThrow(ConfigDecryptionError);
    expect(
      detailOf(() => reencryptConfig(sealed, binding, from, dataKey(randomUUID(), 7))),
    ).toMatch(/is not a key of tenant/);
    expect(
      detailOf(() => reencryptConfig(sealed, { ...binding, platformId: randomUUID() }, from, to)),
    ).toMatch(/authentication failed/);
  });
});

/** The operator-only detail of the ConfigDecryptionError that `run` throws. */
function detailOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigDecryptionError);
    return (error as ConfigDecryptionError).internalDetail;
  }
  throw new Error('expected a ConfigDecryptionError');
}
