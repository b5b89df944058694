import { Controller, Get, Param, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ServicePlatformService } from '../../application/service-platform.service';
import type {
  ListServicesResponse,
  ServiceResponse,
} from '../../application/service-platform.contracts';
import { PlatformPoliciesGuard } from '../authz/platform-policies.guard';
import { RequirePermission } from '../authz/require-permission.decorator';
import { ServicePlatformHttpExceptionFilter } from '../errors/http-exception.filter';
import { ErrorResponseDto } from './dto/platform.response.dto';
import { ListServicesResponseDto, ServiceResponseDto } from './dto/service.response.dto';

/** The service catalog: what each service needs and shows. Any authenticated role. */
@ApiTags('services')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'No or invalid bearer token' })
@ApiForbiddenResponse({ type: ErrorResponseDto, description: 'No known role' })
@Controller('services')
@UseFilters(ServicePlatformHttpExceptionFilter)
@UseGuards(PlatformPoliciesGuard)
export class ServicesController {
  constructor(private readonly platforms: ServicePlatformService) {}

  @Get()
  @RequirePermission('catalog')
  @ApiOperation({
    operationId: 'listServices',
    summary: 'The service catalog: every service’s schema, public and secret fields, doc links',
  })
  @ApiOkResponse({ type: ListServicesResponseDto, description: 'Every service, by name' })
  list(): ListServicesResponse {
    return this.platforms.listServices();
  }

  @Get(':name')
  @RequirePermission('catalog')
  @ApiOperation({ operationId: 'getService', summary: 'One service of the catalog' })
  @ApiParam({ name: 'name', example: 'outlook', description: 'The service name' })
  @ApiOkResponse({ type: ServiceResponseDto, description: 'The service' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'SERVICE_NOT_FOUND' })
  get(@Param('name') name: string): ServiceResponse {
    return this.platforms.getService(name);
  }
}
