import { Injectable } from '@nestjs/common';
import {
  ConfigCipher,
  type ConfigBinding,
  type EncryptedConfig,
} from '../../application/ports/config-cipher.port';
import type { PlatformConfigurationData } from '../../domain/platform-configuration.value-object';
import { ConfigDecryptionError } from '../../domain/platform.errors';
import { aadOf, open, seal } from './aes-gcm';
import { DataKeyStore, type DataKey } from './data-key.store';

const AAD_CONTEXT = 'service-platform/config/v2';

/**
 * Envelope encryption of configurations: AES-256-GCM under the tenant's data key, a fresh IV for
 * every write, and AAD binding the ciphertext to its tenant, service, row and data key. A
 * ciphertext copied into another row, tenant or service fails to decrypt.
 */
@Injectable()
export class EnvelopeConfigCipher extends ConfigCipher {
  constructor(private readonly dataKeys: DataKeyStore) {
    super();
  }

  async encrypt(
    config: PlatformConfigurationData,
    binding: ConfigBinding,
  ): Promise<EncryptedConfig> {
    const key = await this.dataKeys.currentKey(binding.tenantId);
    const sealed = seal(
      key.material,
      Buffer.from(JSON.stringify(config), 'utf8'),
      configAad(binding, key.id),
    );
    return { keyId: key.id, ...sealed };
  }

  async decrypt(
    encrypted: EncryptedConfig,
    binding: ConfigBinding,
  ): Promise<PlatformConfigurationData> {
    const key = await this.dataKeys.keyById(binding.tenantId, encrypted.keyId);
    let plaintext: Buffer;
    try {
      plaintext = open(key.material, encrypted, configAad(binding, key.id));
    } catch {
      throw new ConfigDecryptionError(
        'authentication failed (the ciphertext was altered, or belongs to another tenant, service or row)',
      );
    }
    return JSON.parse(plaintext.toString('utf8')) as PlatformConfigurationData;
  }
}

/**
 * Key rotation: the same configuration bytes sealed again under another data key of the tenant
 * (fresh IV, AAD naming the new key). The plaintext is never parsed, so the content cannot change.
 */
export function reencryptConfig(
  encrypted: EncryptedConfig,
  binding: ConfigBinding,
  from: DataKey,
  to: DataKey,
): EncryptedConfig {
  if (from.id !== encrypted.keyId || from.tenantId !== binding.tenantId) {
    throw new ConfigDecryptionError(`data key ${from.id} did not encrypt this configuration`);
  }
  if (to.tenantId !== binding.tenantId) {
    throw new ConfigDecryptionError(`data key ${to.id} is not a key of tenant ${binding.tenantId}`);
  }
  let plaintext: Buffer;
  try {
    plaintext = open(from.material, encrypted, configAad(binding, from.id));
  } catch {
    throw new ConfigDecryptionError(
      'authentication failed (the ciphertext was altered, or belongs to another tenant, service or row)',
    );
  }
  try {
    return { keyId: to.id, ...seal(to.material, plaintext, configAad(binding, to.id)) };
  } finally {
    plaintext.fill(0);
  }
}

function configAad(binding: ConfigBinding, dataKeyId: string): Buffer {
  return aadOf(AAD_CONTEXT, binding.tenantId, binding.serviceName, binding.platformId, dataKeyId);
}
