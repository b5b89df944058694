import { ConfigurableModuleBuilder, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { KeyRotationService } from './application/key-rotation/key-rotation.service';
import { EncryptionHealth } from './application/ports/encryption-health.port';
import { DataKeyWrapper } from './infrastructure/crypto/data-key-wrapper';
import { DataKeyStore } from './infrastructure/crypto/data-key.store';
import { KeyRing } from './infrastructure/crypto/key-ring';
import { PrismaDataKeyStore } from './infrastructure/crypto/prisma-data-key.store';
import { PrismaKeyRingCanary } from './infrastructure/crypto/prisma-key-ring.canary';
import { PrismaMasterKeyRegistry } from './infrastructure/crypto/prisma-master-key-registry';
import { PrismaKeyRotationService } from './infrastructure/key-rotation/prisma-key-rotation.service';
import { PrismaTransactionHost } from './infrastructure/persistence/prisma-transaction.host';
import { PrismaService } from './infrastructure/persistence/prisma.service';
import { SERVICE_PLATFORM_OPTIONS } from './service-platform.module-definition';
import type { ServicePlatformModuleOptions } from './service-platform.options';

/** What key rotation needs: the module's database and the key ring, new key first. */
export type ServicePlatformKeyRotationOptions = Pick<
  ServicePlatformModuleOptions,
  'database' | 'encryption'
>;

const { ConfigurableModuleClass } =
  new ConfigurableModuleBuilder<ServicePlatformKeyRotationOptions>({
    // The database and crypto adapters read the main module's options token; this module gives
    // them its own options under it (each module has its own providers, so the two never meet).
    optionsInjectionToken: SERVICE_PLATFORM_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .build();

/**
 * Key rotation on its own (`npx service-platform keys:rotate` runs it): re-wraps every tenant
 * data key with the primary master key, optionally re-encrypting every configuration, while the
 * service keeps serving. Nothing else of the module (no relay, cache, controllers) runs with it.
 * Inject `KeyRotationService`; a completed rotation is published as `KeysRotatedEvent` on the
 * CQRS event bus.
 */
@Module({
  imports: [CqrsModule],
  providers: [
    {
      provide: KeyRing,
      inject: [SERVICE_PLATFORM_OPTIONS],
      useFactory: (options: ServicePlatformKeyRotationOptions) =>
        KeyRing.parse(options.encryption.keys),
    },
    DataKeyWrapper,
    PrismaService,
    PrismaTransactionHost,
    PrismaMasterKeyRegistry,
    { provide: EncryptionHealth, useClass: PrismaKeyRingCanary },
    { provide: DataKeyStore, useClass: PrismaDataKeyStore },
    { provide: KeyRotationService, useClass: PrismaKeyRotationService },
  ],
  exports: [KeyRotationService],
})
export class ServicePlatformKeyRotationModule extends ConfigurableModuleClass {}
