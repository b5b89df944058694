import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ActivatePlatformHandler } from './application/commands/activate-platform/activate-platform.handler';
import { DeactivatePlatformHandler } from './application/commands/deactivate-platform/deactivate-platform.handler';
import { RegisterPlatformHandler } from './application/commands/register-platform/register-platform.handler';
import { UpdatePlatformHandler } from './application/commands/update-platform/update-platform.handler';
import {
  PLATFORM_EVENT_TARGETS,
  type PlatformEventTarget,
} from './application/events/platform-event-target';
import { AuditTrailTarget } from './application/events/targets/audit-trail.target';
import { BrokerPublishTarget } from './application/events/targets/broker-publish.target';
import { EventBusTarget } from './application/events/targets/event-bus.target';
import { OutboxRelay } from './application/events/outbox-relay';
import {
  OUTBOX_RELAY_SETTINGS,
  resolveOutboxRelaySettings,
} from './application/events/outbox-relay.settings';
import { PlatformEventDispatcher } from './application/events/platform-event.dispatcher';
import { ServicePlatformReadiness } from './application/health/service-platform-readiness';
import {
  KEY_RING_INFO,
  ServicePlatformMetrics,
  type KeyRingInfo,
} from './application/metrics/service-platform-metrics';
import { PlatformCredentialsResolver } from './application/platform-credentials.resolver';
import { AuditTrail } from './application/ports/audit-trail.port';
import { ConfigCipher } from './application/ports/config-cipher.port';
import { EventOutbox } from './application/ports/event-outbox.port';
import { OutboxSignal } from './application/ports/outbox-signal.port';
import { OutboxStore } from './application/ports/outbox-store.port';
import { PlatformEventTransport } from './application/ports/platform-event-transport.port';
import { PlatformViewCache } from './application/ports/platform-view-cache.port';
import { EncryptionHealth } from './application/ports/encryption-health.port';
import { ServicePlatformRepository } from './application/ports/service-platform.repository.port';
import { StorageHealth } from './application/ports/storage-health.port';
import { UnitOfWork } from './application/ports/unit-of-work.port';
import { GetPlatformHandler } from './application/queries/get-platform/get-platform.handler';
import { ListAuditEntriesHandler } from './application/queries/list-audit-entries/list-audit-entries.handler';
import { ListPlatformsHandler } from './application/queries/list-platforms/list-platforms.handler';
import { ResolveCredentialsHandler } from './application/queries/resolve-credentials/resolve-credentials.handler';
import { ServicePlatformService } from './application/service-platform.service';
import { ServiceCatalog } from './application/catalog/service-catalog';
import { HistoryRemasker } from './application/catalog/history-remasker';
import { MaskedHistoryStore } from './application/ports/masked-history-store.port';
import { PrismaMaskedHistoryStore } from './infrastructure/persistence/prisma-masked-history.store';
import { ConfigSchemaValidator } from './application/ports/config-schema-validator.port';
import { AjvConfigSchemaValidator } from './infrastructure/catalog/ajv-config-schema.validator';
import { IdempotencyKeyPruner } from './application/idempotency/idempotency-key.pruner';
import { IdempotentWrites } from './application/idempotency/idempotent-writes';
import { IdempotencyStore } from './application/ports/idempotency-store.port';
import { PrismaIdempotencyStore } from './infrastructure/persistence/prisma-idempotency.store';
import { DataKeyWrapper } from './infrastructure/crypto/data-key-wrapper';
import { DataKeyStore } from './infrastructure/crypto/data-key.store';
import { EnvelopeConfigCipher } from './infrastructure/crypto/envelope-config.cipher';
import { KeyRing } from './infrastructure/crypto/key-ring';
import type { Cache } from 'cache-manager';
import {
  createPlatformViewCache,
  usesSharedTier,
} from './infrastructure/cache/platform-view-cache.factory';
import {
  LOCAL_VIEW_CACHE,
  SHARED_VIEW_CACHE,
  platformViewCacheModules,
} from './infrastructure/cache/platform-view-cache.modules';
import { ServicePlatformOptionsModule } from './service-platform-options.module';
import { InProcessEventTransport } from './infrastructure/events/in-process-event.transport';
import { RedisPlatformEventTransport } from './infrastructure/events/redis-platform-event.transport';
import { RedisConnections } from './infrastructure/redis/redis-connections';
import { PgOutboxSignal } from './infrastructure/outbox/pg-outbox.signal';
import { PgPlatformChangeFeed } from './infrastructure/listen/pg-platform-change.feed';
import { PrismaAuditTrail } from './infrastructure/persistence/prisma-audit-trail';
import { PrismaDataKeyStore } from './infrastructure/crypto/prisma-data-key.store';
import { PrismaEventOutbox } from './infrastructure/outbox/prisma-event.outbox';
import { PrismaOutboxStore } from './infrastructure/outbox/prisma-outbox.store';
import { PrismaKeyRingCanary } from './infrastructure/crypto/prisma-key-ring.canary';
import { PrismaMasterKeyRegistry } from './infrastructure/crypto/prisma-master-key-registry';
import { PrismaServicePlatformRepository } from './infrastructure/persistence/prisma-service-platform.repository';
import { PrismaStorageHealth } from './infrastructure/persistence/prisma-storage.health';
import { PrismaTransactionHost } from './infrastructure/persistence/prisma-transaction.host';
import { PrismaService } from './infrastructure/persistence/prisma.service';
import { PlatformPoliciesGuard } from './interface/authz/platform-policies.guard';
import { PlatformsController } from './interface/http/platforms.controller';
import { PlatformsGrpcController } from './interface/grpc/platforms.grpc-controller';
import { ServicesGrpcController } from './interface/grpc/services.grpc-controller';
import { ServicesController } from './interface/http/services.controller';
import { ServicePlatformGrpcHealth } from './interface/grpc/service-platform-grpc-health';
import {
  SERVICE_PLATFORM_OPTIONS,
  type ServicePlatformForRootAsyncOptions,
  type ServicePlatformForRootOptions,
} from './service-platform.module-definition';
import type {
  ServicePlatformModuleExtras,
  ServicePlatformModuleOptions,
} from './service-platform.options';

/**
 * Mount with `ServicePlatformModule.forRoot({ database, encryption })` or `forRootAsync(...)`.
 * Serves the REST routes under the host app's global prefix (unless `http: { enabled: false }`)
 * and exports the facade, the credentials resolver and the readiness probe. The caller is read
 * from `request.user` (mapped by `resolveActor`). Its gRPC controllers
 * (`serviceplatform.v1.PlatformService`, unless `grpc: { enabled: false }`) are served when the
 * host app connects a gRPC microservice built with `servicePlatformGrpcOptions()` (caller: `user`
 * on the RPC context).
 */
@Module({
  // Not forRoot(): the CQRS buses' global configuration is the host app's. A host's own
  // `CqrsModule.forRoot()` and its @EventsHandlers work beside it (see EventBusTarget).
  imports: [CqrsModule],
  providers: [
    {
      provide: KeyRing,
      inject: [SERVICE_PLATFORM_OPTIONS],
      // Parsed once at start-up: a bad key ring stops the app with a message naming the entry.
      useFactory: (options: ServicePlatformModuleOptions) => KeyRing.parse(options.encryption.keys),
    },
    DataKeyWrapper,
    PrismaService,
    PrismaTransactionHost,
    PrismaMasterKeyRegistry,
    { provide: UnitOfWork, useExisting: PrismaTransactionHost },
    { provide: DataKeyStore, useClass: PrismaDataKeyStore },
    { provide: ConfigCipher, useClass: EnvelopeConfigCipher },
    { provide: ServicePlatformRepository, useClass: PrismaServicePlatformRepository },
    { provide: StorageHealth, useClass: PrismaStorageHealth },
    { provide: EncryptionHealth, useClass: PrismaKeyRingCanary },
    { provide: EventOutbox, useClass: PrismaEventOutbox },
    { provide: OutboxStore, useClass: PrismaOutboxStore },
    { provide: OutboxSignal, useClass: PgOutboxSignal },
    { provide: AuditTrail, useClass: PrismaAuditTrail },
    RedisConnections,
    {
      provide: PlatformEventTransport,
      inject: [RedisConnections],
      useFactory: (redis: RedisConnections): PlatformEventTransport =>
        redis.commands === undefined
          ? new InProcessEventTransport()
          : new RedisPlatformEventTransport(redis.commands),
    },
    {
      provide: OUTBOX_RELAY_SETTINGS,
      inject: [SERVICE_PLATFORM_OPTIONS],
      useFactory: (options: ServicePlatformModuleOptions) =>
        resolveOutboxRelaySettings(options.events?.relay),
    },
    {
      provide: PlatformViewCache,
      inject: [SERVICE_PLATFORM_OPTIONS, KeyRing, LOCAL_VIEW_CACHE, SHARED_VIEW_CACHE],
      useFactory: (
        options: ServicePlatformModuleOptions,
        keyRing: KeyRing,
        local: Cache,
        shared: Cache,
      ) =>
        createPlatformViewCache(options.cache, keyRing, {
          local,
          shared,
          sharedTier: usesSharedTier(options),
        }),
    },
    { provide: ConfigSchemaValidator, useClass: AjvConfigSchemaValidator },
    {
      provide: ServiceCatalog,
      inject: [SERVICE_PLATFORM_OPTIONS, ConfigSchemaValidator],
      useFactory: (options: ServicePlatformModuleOptions, validator: ConfigSchemaValidator) =>
        new ServiceCatalog(options.catalog ?? {}, validator),
    },
    { provide: MaskedHistoryStore, useClass: PrismaMaskedHistoryStore },
    HistoryRemasker,
    PgPlatformChangeFeed,
    AuditTrailTarget,
    BrokerPublishTarget,
    EventBusTarget,
    {
      provide: PLATFORM_EVENT_TARGETS,
      inject: [AuditTrailTarget, BrokerPublishTarget, EventBusTarget],
      useFactory: (...targets: PlatformEventTarget[]) => targets,
    },
    PlatformEventDispatcher,
    OutboxRelay,
    PlatformPoliciesGuard,
    RegisterPlatformHandler,
    UpdatePlatformHandler,
    DeactivatePlatformHandler,
    ActivatePlatformHandler,
    GetPlatformHandler,
    ListPlatformsHandler,
    ResolveCredentialsHandler,
    ListAuditEntriesHandler,
    { provide: IdempotencyStore, useClass: PrismaIdempotencyStore },
    IdempotentWrites,
    IdempotencyKeyPruner,
    ServicePlatformService,
    PlatformCredentialsResolver,
    ServicePlatformReadiness,
    ServicePlatformMetrics,
    {
      provide: KEY_RING_INFO,
      inject: [KeyRing],
      useFactory: (keyRing: KeyRing): KeyRingInfo => ({
        primaryKeyId: keyRing.primary.id,
        keyIds: keyRing.ids,
      }),
    },
    ServicePlatformGrpcHealth,
  ],
  exports: [
    ServicePlatformService,
    PlatformCredentialsResolver,
    ServicePlatformReadiness,
    ServicePlatformMetrics,
    ServicePlatformGrpcHealth,
    HistoryRemasker,
  ],
})
export class ServicePlatformModule {
  static forRoot(options: ServicePlatformForRootOptions): DynamicModule {
    return assemble(ServicePlatformOptionsModule.forRoot(options), options);
  }

  static forRootAsync(options: ServicePlatformForRootAsyncOptions): DynamicModule {
    return assemble(ServicePlatformOptionsModule.forRootAsync(options), options);
  }
}

/**
 * The module around its options: the options module (imported here and by the read cache's
 * `CacheModule`s), global if the host asked, and the REST and gRPC controllers unless the host
 * turned a transport off.
 */
function assemble(options: DynamicModule, extras: ServicePlatformModuleExtras): DynamicModule {
  const optionsModule: DynamicModule = {
    ...options,
    global: false,
    exports: [SERVICE_PLATFORM_OPTIONS],
  };
  return {
    module: ServicePlatformModule,
    global: extras.isGlobal === true,
    imports: [optionsModule, ...platformViewCacheModules(optionsModule)],
    controllers: [
      ...(extras.http?.enabled === false ? [] : [PlatformsController, ServicesController]),
      ...(extras.grpc?.enabled === false ? [] : [PlatformsGrpcController, ServicesGrpcController]),
    ],
  };
}
