import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * `additional_data` is free-form JSON: keep it exactly as sent. class-transformer would
 * otherwise drop keys named like Object members (`constructor`, `toString`...).
 */
const asSent = ({ obj, key }: { obj: Record<string, unknown>; key: string }): unknown => obj[key];

/** `PlatformConfiguration` of a register request: credentials are required. */
export class PlatformConfigurationDto {
  @ApiProperty({
    description: 'OAuth client / application id at the provider',
    example: '6731de76-14a6-49ae-97bc-6eba6914391e',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  client_id!: string;

  @ApiProperty({
    description: 'Client secret. Stored encrypted; every response shows it as "********".',
    example: 's3cr3t-value',
    writeOnly: true,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  client_secret!: string;

  @ApiPropertyOptional({
    description: "The provider's own tenant (e.g. an Azure AD tenant id)",
    example: 'contoso.onmicrosoft.com',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  tenant_id?: string;

  @ApiPropertyOptional({
    description:
      'Provider-specific settings (see GET /api/v1/services/{name}). Only keys the service declares public are shown in answers; every other key is a secret, masked as "********".',
    type: 'object',
    additionalProperties: true,
    example: { redirect_uri: 'https://app.example.com/oauth/callback' },
  })
  @IsOptional()
  @Transform(asSent)
  @IsObject()
  additional_data?: Record<string, unknown>;
}

/** Partial configuration of an update: a field left out keeps its stored value. */
export class PlatformConfigurationPatchDto {
  @ApiPropertyOptional({ example: 'new-client-id' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  client_id?: string;

  @ApiPropertyOptional({ writeOnly: true, example: 'rotated-secret' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  client_secret?: string;

  @ApiPropertyOptional({
    nullable: true,
    description: 'null removes the provider tenant',
    type: String,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  tenant_id?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    description:
      'Keys merge into the stored object; a null value removes that key; null removes all',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @Transform(asSent)
  @IsObject()
  additional_data?: Record<string, unknown> | null;
}
