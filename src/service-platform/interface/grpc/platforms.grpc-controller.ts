import { Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import { PlatformCredentialsResolver } from '../../application/platform-credentials.resolver';
import { ServicePlatformService } from '../../application/service-platform.service';
import type { Actor } from '../../domain/actor';
import { PlatformPoliciesGuard } from '../authz/platform-policies.guard';
import { CurrentActor } from '../authz/request-actor';
import { RequirePermission } from '../authz/require-permission.decorator';
import { ServicePlatformRpcExceptionFilter } from '../errors/rpc-exception.filter';
import { IdempotencyKey } from '../idempotency-key.decorator';
import { GrpcRequestValidator } from './grpc-request.validator';
import { MalformedRequestPipe } from './malformed-request';
import { PlatformGrpcMapper } from './platform.grpc-mapper';
import type {
  ListPlatformsRequestMessage,
  ListPlatformsResponseMessage,
  PlatformChangeResponseMessage,
  PlatformIdRequestMessage,
  PlatformResponseMessage,
  RegisterPlatformRequestMessage,
  ResolveCredentialsRequestMessage,
  ResolveCredentialsResponseMessage,
  UpdatePlatformRequestMessage,
} from './platform-service.messages';

/** The service of `service_platform.proto`, as Nest's gRPC server names it within the package. */
export const PLATFORM_SERVICE = 'PlatformService';

/**
 * gRPC adapter of `serviceplatform.v1.PlatformService`: translates messages to facade calls and
 * back, nothing more. The same facade, resolver, policies guard, request DTOs and error table as
 * REST; the
 * caller is read from `user` on the RPC context (the host app's authentication puts it there).
 * Served only when the host app connects a gRPC microservice (`servicePlatformGrpcOptions`).
 */
@Controller()
@UseFilters(ServicePlatformRpcExceptionFilter)
@UseGuards(PlatformPoliciesGuard)
@UsePipes(MalformedRequestPipe)
export class PlatformsGrpcController {
  constructor(
    private readonly platforms: ServicePlatformService,
    private readonly credentials: PlatformCredentialsResolver,
  ) {}

  @GrpcMethod(PLATFORM_SERVICE, 'RegisterPlatform')
  @RequirePermission('register')
  async registerPlatform(
    @Payload() request: RegisterPlatformRequestMessage,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<PlatformChangeResponseMessage> {
    const body = await GrpcRequestValidator.register(request);
    const response = await this.platforms.registerPlatform(body, actor, { idempotencyKey });
    return PlatformGrpcMapper.toChangeMessage(response);
  }

  @GrpcMethod(PLATFORM_SERVICE, 'GetPlatform')
  @RequirePermission('read')
  async getPlatform(
    @Payload() request: PlatformIdRequestMessage,
    @CurrentActor() actor: Actor,
  ): Promise<PlatformResponseMessage> {
    const platform = await this.platforms.getPlatform(
      { platform_id: request.platform_id ?? '' },
      actor,
    );
    return PlatformGrpcMapper.toPlatformMessage(platform);
  }

  @GrpcMethod(PLATFORM_SERVICE, 'UpdatePlatform')
  @RequirePermission('update')
  async updatePlatform(
    @Payload() request: UpdatePlatformRequestMessage,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<PlatformResponseMessage> {
    const body = await GrpcRequestValidator.update(request);
    const platform = await this.platforms.updatePlatform(
      {
        platform_id: request.platform_id ?? '',
        config: body.config,
        ...(body.version !== undefined && { version: body.version }),
      },
      actor,
      { idempotencyKey },
    );
    return PlatformGrpcMapper.toPlatformMessage(platform);
  }

  @GrpcMethod(PLATFORM_SERVICE, 'DeactivatePlatform')
  @RequirePermission('deactivate')
  async deactivatePlatform(
    @Payload() request: PlatformIdRequestMessage,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<PlatformChangeResponseMessage> {
    const response = await this.platforms.deactivatePlatform(
      { platform_id: request.platform_id ?? '' },
      actor,
      { idempotencyKey },
    );
    return PlatformGrpcMapper.toChangeMessage(response);
  }

  @GrpcMethod(PLATFORM_SERVICE, 'ActivatePlatform')
  @RequirePermission('activate')
  async activatePlatform(
    @Payload() request: PlatformIdRequestMessage,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<PlatformChangeResponseMessage> {
    const response = await this.platforms.activatePlatform(
      { platform_id: request.platform_id ?? '' },
      actor,
      { idempotencyKey },
    );
    return PlatformGrpcMapper.toChangeMessage(response);
  }

  @GrpcMethod(PLATFORM_SERVICE, 'ListPlatforms')
  @RequirePermission('read')
  async listPlatforms(
    @Payload() request: ListPlatformsRequestMessage,
    @CurrentActor() actor: Actor,
  ): Promise<ListPlatformsResponseMessage> {
    const query = await GrpcRequestValidator.list(request);
    const response = await this.platforms.listPlatforms(query, actor);
    return PlatformGrpcMapper.toListMessage(response);
  }

  @GrpcMethod(PLATFORM_SERVICE, 'ResolveCredentials')
  @RequirePermission('resolve')
  async resolveCredentials(
    @Payload() request: ResolveCredentialsRequestMessage,
    @CurrentActor() actor: Actor,
  ): Promise<ResolveCredentialsResponseMessage> {
    const resolved = await this.credentials.resolveFor(
      actor,
      request.tenant_id ?? '',
      request.service_name ?? '',
    );
    return PlatformGrpcMapper.toCredentialsMessage(resolved);
  }
}
