import { ERROR_BODY_CODES } from '../../errors/error-status.table';
import { ApiProperty } from '@nestjs/swagger';

/** Documentation of the answers; the bodies themselves come from `ServicePlatform.toDict()`. */
export class PlatformResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ example: 'outlook' }) service_name!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The configuration with every secret value replaced by "********"',
    example: { client_id: 'abc', client_secret: '********', tenant_id: 'contoso.onmicrosoft.com' },
  })
  config!: Record<string, unknown>;

  @ApiProperty() is_active!: boolean;
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: 'Grows by one with every change; also sent as the ETag',
  })
  version!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class PlatformChangeResponseDto {
  @ApiProperty({ type: PlatformResponseDto }) platform!: PlatformResponseDto;
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ example: 'Platform deactivated' }) message!: string;
}

export class ListPlatformsResponseDto {
  @ApiProperty({ type: [PlatformResponseDto] }) platforms!: PlatformResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor!: string | null;
}

export class FieldViolationDto {
  @ApiProperty({ example: 'config.client_secret' }) field!: string;
  @ApiProperty({ example: 'must not be empty' }) message!: string;
}

export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({
    example: 'INVALID_PLATFORM_CONFIG',
    enum: ERROR_BODY_CODES,
    enumName: 'ErrorCode',
    description: 'What went wrong, for programs (the status alone is not enough)',
  })
  code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: [FieldViolationDto] }) details!: FieldViolationDto[];
}
