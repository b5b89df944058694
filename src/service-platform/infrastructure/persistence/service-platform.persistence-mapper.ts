import type { EncryptedConfig, ConfigBinding } from '../../application/ports/config-cipher.port';
import type { SecretPolicy } from '../../domain/catalog/secret-policy';
import type { PlatformConfiguration } from '../../domain/platform-configuration.value-object';
import { ServicePlatform } from '../../domain/service-platform.entity';
import type { ServicePlatform as ServicePlatformRow } from './generated/client';

/** Row columns that hold the encrypted configuration. */
export type EncryptedConfigColumns = Pick<
  ServicePlatformRow,
  'configCiphertext' | 'configIv' | 'configAuthTag' | 'dataKeyId'
>;

/** Maps between `service_platforms` rows and domain objects; the cipher runs in the repository. */
export class ServicePlatformPersistenceMapper {
  static bindingOf(
    platform: Pick<ServicePlatformRow, 'id' | 'tenantId' | 'serviceName'>,
  ): ConfigBinding {
    return {
      tenantId: platform.tenantId,
      serviceName: platform.serviceName,
      platformId: platform.id,
    };
  }

  static encryptedConfigOf(row: EncryptedConfigColumns): EncryptedConfig {
    return {
      keyId: row.dataKeyId,
      iv: row.configIv,
      authTag: row.configAuthTag,
      ciphertext: row.configCiphertext,
    };
  }

  static toEncryptedColumns(encrypted: EncryptedConfig): EncryptedConfigColumns {
    return {
      dataKeyId: encrypted.keyId,
      configIv: toBytes(encrypted.iv),
      configAuthTag: toBytes(encrypted.authTag),
      configCiphertext: toBytes(encrypted.ciphertext),
    };
  }

  static toDomain(
    row: ServicePlatformRow,
    config: PlatformConfiguration,
    secrets: SecretPolicy,
  ): ServicePlatform {
    return ServicePlatform.restore({
      secrets,
      id: row.id,
      tenantId: row.tenantId,
      serviceName: row.serviceName,
      config,
      isActive: row.isActive,
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  }
}

function toBytes(value: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(value);
}
