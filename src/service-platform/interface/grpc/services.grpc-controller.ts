import { Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import { ServicePlatformService } from '../../application/service-platform.service';
import type { ServiceResponse } from '../../application/service-platform.contracts';
import { PlatformPoliciesGuard } from '../authz/platform-policies.guard';
import { RequirePermission } from '../authz/require-permission.decorator';
import { ServicePlatformRpcExceptionFilter } from '../errors/rpc-exception.filter';
import { MalformedRequestPipe } from './malformed-request';
import type {
  GetServiceRequestMessage,
  ListServicesResponseMessage,
  ServiceDescriptionMessage,
} from './platform-service.messages';
import { PLATFORM_SERVICE } from './platforms.grpc-controller';
import { StructMapper } from './struct.mapper';

/** The service catalog over gRPC (`ListServices`, `GetService` of `PlatformService`). */
@Controller()
@UseFilters(ServicePlatformRpcExceptionFilter)
@UseGuards(PlatformPoliciesGuard)
@UsePipes(MalformedRequestPipe)
export class ServicesGrpcController {
  constructor(private readonly platforms: ServicePlatformService) {}

  @GrpcMethod(PLATFORM_SERVICE, 'ListServices')
  @RequirePermission('catalog')
  listServices(): ListServicesResponseMessage {
    return { services: this.platforms.listServices().services.map(toMessage) };
  }

  @GrpcMethod(PLATFORM_SERVICE, 'GetService')
  @RequirePermission('catalog')
  getService(@Payload() request: GetServiceRequestMessage): ServiceDescriptionMessage {
    return toMessage(this.platforms.getService(request.name ?? ''));
  }
}

function toMessage(service: ServiceResponse): ServiceDescriptionMessage {
  return { ...service, schema: StructMapper.fromJson(service.schema) };
}
