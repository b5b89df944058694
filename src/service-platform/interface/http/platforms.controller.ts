import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiPreconditionFailedResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ServicePlatformService } from '../../application/service-platform.service';
import type {
  ListAuditEntriesResponse,
  ListPlatformsResponse,
  PlatformChangeResponse,
  PlatformResponse,
} from '../../application/service-platform.contracts';
import type { Actor } from '../../domain/actor';
import { ServicePlatformHttpExceptionFilter } from '../errors/http-exception.filter';
import { PlatformPoliciesGuard } from '../authz/platform-policies.guard';
import { CurrentActor } from '../authz/request-actor';
import { RequirePermission } from '../authz/require-permission.decorator';
import { ListAuditEntriesResponseDto } from './dto/audit-entry.response.dto';
import { ListAuditEntriesQueryDto } from './dto/list-audit-entries.query.dto';
import { ListPlatformsQueryDto } from './dto/list-platforms.query.dto';
import {
  ErrorResponseDto,
  ListPlatformsResponseDto,
  PlatformChangeResponseDto,
  PlatformResponseDto,
} from './dto/platform.response.dto';
import { RegisterPlatformRequestDto } from './dto/register-platform.request.dto';
import { UpdatePlatformRequestDto } from './dto/update-platform.request.dto';
import { IdempotencyKey } from '../idempotency-key.decorator';
import { ApiIdempotentWrite } from './api-idempotent-write.decorator';
import { etagOf, expectedVersion } from './if-match';
import { JsonBodyGuard } from './json-body.guard';
import { createRequestValidationPipe } from './request-validation.pipe';

/** Express's `Response` and Fastify's `FastifyReply` both have `header(name, value)`. */
interface HeaderWriter {
  header(name: string, value: string): unknown;
}

const PLATFORM_ID = {
  name: 'platform_id',
  format: 'uuid',
  description: 'Platform id; another tenant’s platform answers 404',
} as const;

/** `ETag: "<version>"` of a platform answer (the precondition of a later PUT's If-Match). */
const ETAG_HEADER = {
  ETag: { description: 'The platform version, quoted: "3"', schema: { type: 'string' } },
};

/**
 * REST adapter: translates HTTP to facade calls and back, nothing more. Validation of shapes
 * happens here (DTOs); every business rule lives behind the facade.
 */
@ApiTags('platforms')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input (see `details`)' })
@ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Database unreachable' })
@ApiInternalServerErrorResponse({
  type: ErrorResponseDto,
  description:
    'CONFIG_DECRYPTION_FAILED: a stored configuration cannot be decrypted (never empty credentials)',
})
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'No or invalid bearer token' })
@ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Your roles do not allow this' })
@Controller('platforms')
@UseFilters(ServicePlatformHttpExceptionFilter)
@UseGuards(JsonBodyGuard, PlatformPoliciesGuard)
@UsePipes(createRequestValidationPipe())
export class PlatformsController {
  constructor(private readonly platforms: ServicePlatformService) {}

  @Post()
  @RequirePermission('register')
  @ApiOperation({
    operationId: 'registerPlatform',
    summary: 'Register a service platform for a tenant',
  })
  @ApiCreatedResponse({
    type: PlatformChangeResponseDto,
    description: 'Registered: the platform (secrets masked), version 1',
    headers: ETAG_HEADER,
  })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Tenant outside the caller’s' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The tenant already has this service (active or inactive)',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponseDto,
    description: 'Body over the HTTP server’s limit (64 KiB in the demo app)',
  })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorResponseDto,
    description: 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json in UTF-8',
  })
  @ApiIdempotentWrite()
  register(
    @Body() body: RegisterPlatformRequestDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<PlatformChangeResponse> {
    return this.platforms.registerPlatform(body, actor, { idempotencyKey });
  }

  @Get()
  @RequirePermission('read')
  @ApiOperation({
    operationId: 'listPlatforms',
    summary: "List a tenant's platforms (registration order, cursor-paginated)",
  })
  @ApiOkResponse({
    type: ListPlatformsResponseDto,
    description: 'A page of platforms and the next cursor',
  })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Tenant outside the caller’s' })
  list(
    @Query() query: ListPlatformsQueryDto,
    @CurrentActor() actor: Actor,
  ): Promise<ListPlatformsResponse> {
    return this.platforms.listPlatforms(query, actor);
  }

  @Get(':platform_id')
  @RequirePermission('read')
  @ApiOperation({
    operationId: 'getPlatform',
    summary: 'Get a platform (secrets masked); ETag carries its version',
  })
  @ApiParam(PLATFORM_ID)
  @ApiOkResponse({
    type: PlatformResponseDto,
    description: 'The platform, secrets masked',
    headers: ETAG_HEADER,
  })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'No such platform in the caller’s reach',
  })
  async get(
    @Param('platform_id') platformId: string,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: HeaderWriter,
  ): Promise<PlatformResponse> {
    const platform = await this.platforms.getPlatform({ platform_id: platformId }, actor);
    response.header('ETag', etagOf(platform.version));
    return platform;
  }

  @Put(':platform_id')
  @RequirePermission('update')
  @ApiOperation({
    operationId: 'updatePlatform',
    summary: 'Update a platform configuration (partial; omitted fields keep their values)',
  })
  @ApiParam(PLATFORM_ID)
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'ETag of the version the change is based on, e.g. "3"',
  })
  @ApiOkResponse({
    type: PlatformResponseDto,
    description: 'The updated platform, secrets masked',
    headers: ETAG_HEADER,
  })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'No such platform in the caller’s reach',
  })
  @ApiPreconditionFailedResponse({
    type: ErrorResponseDto,
    description: 'Stale version (VERSION_CONFLICT): nothing written',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponseDto,
    description: 'Body over the HTTP server’s limit (64 KiB in the demo app)',
  })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorResponseDto,
    description: 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json in UTF-8',
  })
  @ApiIdempotentWrite()
  async update(
    @Param('platform_id') platformId: string,
    @Body() body: UpdatePlatformRequestDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: HeaderWriter,
  ): Promise<PlatformResponse> {
    const version = expectedVersion(ifMatch, body.version);
    const platform = await this.platforms.updatePlatform(
      { platform_id: platformId, config: body.config, ...(version !== undefined && { version }) },
      actor,
      { idempotencyKey },
    );
    response.header('ETag', etagOf(platform.version));
    return platform;
  }

  @Post(':platform_id/deactivate')
  @RequirePermission('deactivate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'deactivatePlatform',
    summary: 'Deactivate a platform (idempotent); it keeps its slot',
  })
  @ApiParam(PLATFORM_ID)
  @ApiOkResponse({
    type: PlatformChangeResponseDto,
    description: 'Deactivated (or already inactive)',
    headers: ETAG_HEADER,
  })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'No such platform in the caller’s reach',
  })
  @ApiIdempotentWrite()
  deactivate(
    @Param('platform_id') platformId: string,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<PlatformChangeResponse> {
    return this.platforms.deactivatePlatform({ platform_id: platformId }, actor, {
      idempotencyKey,
    });
  }

  @Post(':platform_id/activate')
  @RequirePermission('activate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'activatePlatform',
    summary: 'Activate a deactivated platform (idempotent)',
  })
  @ApiParam(PLATFORM_ID)
  @ApiOkResponse({
    type: PlatformChangeResponseDto,
    description: 'Activated (or already active)',
    headers: ETAG_HEADER,
  })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'No such platform in the caller’s reach',
  })
  @ApiIdempotentWrite()
  activate(
    @Param('platform_id') platformId: string,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<PlatformChangeResponse> {
    return this.platforms.activatePlatform({ platform_id: platformId }, actor, { idempotencyKey });
  }

  @Get(':platform_id/audit')
  @RequirePermission('audit')
  @ApiOperation({
    operationId: 'listAuditEntries',
    summary: "A platform's audit trail, newest first (cursor-paginated)",
  })
  @ApiParam(PLATFORM_ID)
  @ApiOkResponse({
    type: ListAuditEntriesResponseDto,
    description: 'A page of audit entries and the next cursor',
  })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description: 'Only tenant admins (own tenant) and platform admins read the trail',
  })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'No such platform in the caller’s reach',
  })
  audit(
    @Param('platform_id') platformId: string,
    @Query() query: ListAuditEntriesQueryDto,
    @CurrentActor() actor: Actor,
  ): Promise<ListAuditEntriesResponse> {
    return this.platforms.listAuditEntries(
      {
        platform_id: platformId,
        ...(query.limit !== undefined && { limit: query.limit }),
        ...(query.cursor !== undefined && { cursor: query.cursor }),
      },
      actor,
    );
  }
}
