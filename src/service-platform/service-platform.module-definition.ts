import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ServicePlatformModuleOptions } from './service-platform.options';

export const {
  ConfigurableModuleClass: ServicePlatformConfigurableModule,
  MODULE_OPTIONS_TOKEN: SERVICE_PLATFORM_OPTIONS,
  OPTIONS_TYPE: SERVICE_PLATFORM_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SERVICE_PLATFORM_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ServicePlatformModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
