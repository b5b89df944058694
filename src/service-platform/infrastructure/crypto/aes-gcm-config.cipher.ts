import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { PlatformConfigurationData } from '../../domain/platform-configuration.value-object';
import { ConfigDecryptionError } from '../../domain/platform.errors';
import {
  ConfigCipher,
  type ConfigBinding,
  type EncryptedConfig,
} from '../../application/ports/config-cipher.port';
import { KeyRing } from './key-ring';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_CONTEXT = 'service-platform/config/v1';

/**
 * AES-256-GCM with a fresh random 96-bit IV for every write. The additional authenticated data
 * binds each ciphertext to its tenant, service and row: copied anywhere else it fails to decrypt.
 */
@Injectable()
export class AesGcmConfigCipher extends ConfigCipher {
  constructor(@Inject(KeyRing) private readonly keyRing: KeyRing) {
    super();
  }

  encrypt(config: PlatformConfigurationData, binding: ConfigBinding): Promise<EncryptedConfig> {
    return new Promise((resolve) => resolve(this.seal(config, binding)));
  }

  decrypt(encrypted: EncryptedConfig, binding: ConfigBinding): Promise<PlatformConfigurationData> {
    return new Promise((resolve) => resolve(this.open(encrypted, binding)));
  }

  private seal(config: PlatformConfigurationData, binding: ConfigBinding): EncryptedConfig {
    const key = this.keyRing.primary;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key.material, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(binding));
    const ciphertext = Buffer.concat([
      cipher.update(JSON.stringify(config), 'utf8'),
      cipher.final(),
    ]);
    return { keyId: key.id, iv, authTag: cipher.getAuthTag(), ciphertext };
  }

  private open(encrypted: EncryptedConfig, binding: ConfigBinding): PlatformConfigurationData {
    const key = this.keyRing.find(encrypted.keyId);
    if (key === undefined) {
      throw new ConfigDecryptionError(
        `it was encrypted with key '${encrypted.keyId}', which is not in the key ring`,
      );
    }
    if (encrypted.iv.length !== IV_BYTES || encrypted.authTag.length !== TAG_BYTES) {
      throw new ConfigDecryptionError('the stored IV or authentication tag is malformed');
    }
    let plaintext: string;
    try {
      const decipher = createDecipheriv(ALGORITHM, key.material, encrypted.iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(additionalData(binding));
      decipher.setAuthTag(encrypted.authTag);
      plaintext = Buffer.concat([decipher.update(encrypted.ciphertext), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new ConfigDecryptionError(
        'authentication failed (the ciphertext was altered, or belongs to another tenant, service or row)',
      );
    }
    return JSON.parse(plaintext) as PlatformConfigurationData;
  }
}

function additionalData(binding: ConfigBinding): Buffer {
  return Buffer.from(
    JSON.stringify([AAD_CONTEXT, binding.tenantId, binding.serviceName, binding.platformId]),
    'utf8',
  );
}
