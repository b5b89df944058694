import type { PlatformConfigurationData } from '../../domain/platform-configuration.value-object';

/** What a ciphertext is bound to: decrypting it under any other binding fails. */
export interface ConfigBinding {
  readonly tenantId: string;
  readonly serviceName: string;
  readonly platformId: string;
}

export interface EncryptedConfig {
  /** Id of the (tenant data) key that encrypted it; older keys keep opening older rows. */
  readonly keyId: string;
  readonly iv: Uint8Array;
  readonly authTag: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Authenticated encryption of platform configurations at rest. */
export abstract class ConfigCipher {
  abstract encrypt(
    config: PlatformConfigurationData,
    binding: ConfigBinding,
  ): Promise<EncryptedConfig>;

  /** Throws `ConfigDecryptionError` (never returns empty credentials) when it cannot decrypt. */
  abstract decrypt(
    encrypted: EncryptedConfig,
    binding: ConfigBinding,
  ): Promise<PlatformConfigurationData>;
}
