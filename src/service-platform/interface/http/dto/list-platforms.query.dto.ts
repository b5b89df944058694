import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { PageQueryDto } from './page.query.dto';

/** Query-string booleans arrive as strings: convert only exact spellings, let the rest fail. */
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListPlatformsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "Required unless the caller is bound to a tenant (then it defaults to the caller's)",
  })
  @IsOptional()
  @IsUUID('all')
  tenant_id?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Filter on state; both by default' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ example: 'outlook' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,63}$/, { message: 'service_name must be a lower-case slug' })
  service_name?: string;
}
