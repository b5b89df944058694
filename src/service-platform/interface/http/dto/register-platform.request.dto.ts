import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsString, IsUUID, Matches, ValidateNested } from 'class-validator';
import { PlatformConfigurationDto } from './platform-configuration.dto';

export class RegisterPlatformRequestDto {
  @ApiProperty({ format: 'uuid', example: '0b5e5bd6-6c43-4c0b-9d1e-1c1f3f9a2b10' })
  @IsUUID('all')
  tenant_id!: string;

  @ApiProperty({ pattern: '^[a-z][a-z0-9_-]{0,63}$', example: 'outlook' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,63}$/, {
    message: 'service_name must be a lower-case slug matching ^[a-z][a-z0-9_-]{0,63}$',
  })
  service_name!: string;

  @ApiProperty({ type: PlatformConfigurationDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => PlatformConfigurationDto)
  config!: PlatformConfigurationDto;
}
