import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ActivatePlatformHandler } from './application/commands/activate-platform/activate-platform.handler';
import { DeactivatePlatformHandler } from './application/commands/deactivate-platform/deactivate-platform.handler';
import { RegisterPlatformHandler } from './application/commands/register-platform/register-platform.handler';
import { UpdatePlatformHandler } from './application/commands/update-platform/update-platform.handler';
import { ConfigCipher } from './application/ports/config-cipher.port';
import { ServicePlatformRepository } from './application/ports/service-platform.repository.port';
import { GetPlatformHandler } from './application/queries/get-platform/get-platform.handler';
import { ListPlatformsHandler } from './application/queries/list-platforms/list-platforms.handler';
import { ServicePlatformReadiness } from './application/health/service-platform-readiness';
import { StorageHealth } from './application/ports/storage-health.port';
import { UnitOfWork } from './application/ports/unit-of-work.port';
import { ServicePlatformService } from './application/service-platform.service';
import { AesGcmConfigCipher } from './infrastructure/crypto/aes-gcm-config.cipher';
import { KeyRing } from './infrastructure/crypto/key-ring';
import { PrismaServicePlatformRepository } from './infrastructure/prisma/prisma-service-platform.repository';
import { PrismaStorageHealth } from './infrastructure/prisma/prisma-storage.health';
import { PrismaTransactionHost } from './infrastructure/prisma/prisma-transaction.host';
import { PrismaService } from './infrastructure/prisma/prisma.service';
import { PlatformsController } from './interface/http/platforms.controller';
import {
  SERVICE_PLATFORM_OPTIONS,
  ServicePlatformConfigurableModule,
} from './service-platform.module-definition';
import type { ServicePlatformModuleOptions } from './service-platform.options';

/**
 * Mount with `ServicePlatformModule.forRoot({ database, encryption })` or `forRootAsync(...)`.
 * Serves the REST routes under the host app's global prefix and exports the facade.
 */
@Module({
  imports: [CqrsModule.forRoot()],
  controllers: [PlatformsController],
  providers: [
    {
      provide: KeyRing,
      inject: [SERVICE_PLATFORM_OPTIONS],
      // Parsed once at start-up: a bad key ring stops the app with a message naming the entry.
      useFactory: (options: ServicePlatformModuleOptions) => KeyRing.parse(options.encryption.keys),
    },
    { provide: ConfigCipher, useClass: AesGcmConfigCipher },
    PrismaService,
    PrismaTransactionHost,
    { provide: UnitOfWork, useExisting: PrismaTransactionHost },
    { provide: ServicePlatformRepository, useClass: PrismaServicePlatformRepository },
    RegisterPlatformHandler,
    UpdatePlatformHandler,
    DeactivatePlatformHandler,
    ActivatePlatformHandler,
    GetPlatformHandler,
    ListPlatformsHandler,
    { provide: StorageHealth, useClass: PrismaStorageHealth },
    ServicePlatformService,
    ServicePlatformReadiness,
  ],
  exports: [ServicePlatformService, ServicePlatformReadiness],
})
export class ServicePlatformModule extends ServicePlatformConfigurableModule {}
