import { Module } from '@nestjs/common';
import { ServicePlatformConfigurableModule } from './service-platform.module-definition';

/**
 * Provides the module's options (`SERVICE_PLATFORM_OPTIONS`, from `forRoot`'s value or the
 * host's `forRootAsync` factory) to the `ServicePlatformModule` and to the read cache's
 * `CacheModule`s, which import this same module: the host's factory runs once.
 */
@Module({})
export class ServicePlatformOptionsModule extends ServicePlatformConfigurableModule {}
