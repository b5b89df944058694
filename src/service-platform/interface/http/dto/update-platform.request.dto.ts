import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsOptional, Min, ValidateNested } from 'class-validator';
import { PlatformConfigurationPatchDto } from './platform-configuration.dto';

export class UpdatePlatformRequestDto {
  @ApiProperty({ type: PlatformConfigurationPatchDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => PlatformConfigurationPatchDto)
  config!: PlatformConfigurationPatchDto;

  @ApiPropertyOptional({
    type: 'integer',
    description:
      'Expected current version (alternative to the If-Match header). When stale: 412, nothing written.',
    minimum: 1,
    example: 1,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}
