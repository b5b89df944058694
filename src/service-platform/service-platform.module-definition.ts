import { ConfigurableModuleBuilder, type ConfigurableModuleOptionsFactory } from '@nestjs/common';
import type {
  ServicePlatformModuleExtras,
  ServicePlatformModuleOptions,
} from './service-platform.options';

export const {
  ConfigurableModuleClass: ServicePlatformConfigurableModule,
  MODULE_OPTIONS_TOKEN: SERVICE_PLATFORM_OPTIONS,
  OPTIONS_TYPE: SERVICE_PLATFORM_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SERVICE_PLATFORM_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ServicePlatformModuleOptions>()
  .setClassMethodName('forRoot')
  // Extras are known when the module is declared, also with forRootAsync: which controllers
  // exist cannot wait for an async options factory. `ServicePlatformModule` reads http and grpc.
  .setExtras<ServicePlatformModuleExtras>(
    { isGlobal: false, http: { enabled: true }, grpc: { enabled: true } },
    (definition, extras) => ({ ...definition, global: extras.isGlobal === true }),
  )
  .build();

/** What `ServicePlatformModule.forRoot()` takes: the options and the extras. */
export type ServicePlatformForRootOptions = typeof SERVICE_PLATFORM_OPTIONS_TYPE;
/** What `ServicePlatformModule.forRootAsync()` takes. */
export type ServicePlatformForRootAsyncOptions = typeof SERVICE_PLATFORM_ASYNC_OPTIONS_TYPE;
/**
 * What a class given to `forRootAsync({ useClass })` (or `useExisting`) implements: `create()`
 * returns the options (Nest's `ConfigurableModuleBuilder` names the method).
 */
export type ServicePlatformOptionsFactory = ConfigurableModuleOptionsFactory<
  ServicePlatformModuleOptions,
  'create'
>;
