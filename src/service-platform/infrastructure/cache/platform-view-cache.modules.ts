import { CACHE_MANAGER, CacheModule, type CacheModuleOptions } from '@nestjs/cache-manager';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { CreateCacheOptions } from 'cache-manager';
import { SERVICE_PLATFORM_OPTIONS } from '../../service-platform.module-definition';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import { databaseNamespace } from '../persistence/prisma.service';
import { redisSettingsOf } from '../redis/redis-connections';
import {
  PLATFORM_VIEW_KEY_PREFIX,
  localTierOptions,
  sharedTierOptions,
  usesSharedTier,
} from './platform-view-cache.factory';

/** The memory tier's cache-manager `Cache` (`@nestjs/cache-manager`'s `CACHE_MANAGER`). */
export const LOCAL_VIEW_CACHE = Symbol('service-platform.local-view-cache');
/** The Redis tier's; an idle in-memory `Cache` when the module has no shared tier. */
export const SHARED_VIEW_CACHE = Symbol('service-platform.shared-view-cache');

/** Holds the memory tier's `CacheModule` (each tier needs a module: one `CACHE_MANAGER` each). */
@Module({})
export class LocalViewCacheModule {}

/** Holds the Redis tier's `CacheModule`. */
@Module({})
export class SharedViewCacheModule {}

/**
 * The read cache's two tiers, each a `CacheModule.registerAsync()` of `@nestjs/cache-manager`
 * (cache-manager 7 over a Keyv store), configured from the module's options: `optionsModule`
 * is the one module that provides them, shared with the `ServicePlatformModule` (the same
 * object, so the host's options factory runs once). The caches are the module's own and not
 * exported: a host's `CacheModule` and `CACHE_MANAGER` are untouched.
 */
export function platformViewCacheModules(optionsModule: DynamicModule): DynamicModule[] {
  return [
    tier(LocalViewCacheModule, LOCAL_VIEW_CACHE, optionsModule, (options) =>
      localTierOptions(options.cache),
    ),
    tier(SharedViewCacheModule, SHARED_VIEW_CACHE, optionsModule, (options) => {
      const redis = redisSettingsOf(options.redis);
      return redis === undefined || !usesSharedTier(options)
        ? {}
        : sharedTierOptions(
            redis,
            `${PLATFORM_VIEW_KEY_PREFIX}${databaseNamespace(options.database)}`,
            options.cache,
          );
    }),
  ];
}

function tier(
  module: Type,
  token: symbol,
  optionsModule: DynamicModule,
  cacheOptions: (options: ServicePlatformModuleOptions) => CreateCacheOptions,
): DynamicModule {
  return {
    module,
    imports: [
      CacheModule.registerAsync({
        imports: [optionsModule],
        inject: [SERVICE_PLATFORM_OPTIONS],
        // The same object: TypeScript sees Keyv's CommonJS and ES module typings as two types.
        useFactory: (options: ServicePlatformModuleOptions) =>
          cacheOptions(options) as unknown as CacheModuleOptions,
      }),
    ],
    providers: [{ provide: token, useExisting: CACHE_MANAGER }],
    exports: [token],
  };
}
