import { ApiProperty } from '@nestjs/swagger';
import { AuditAction } from '../../../domain/events/platform-event-type';

/** Documentation of the audit trail's answers (contract "Audit trail"). */
export class AuditEntryResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) platform_id!: string;
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ enum: Object.values(AuditAction) }) action!: string;
  @ApiProperty({ description: 'The `sub` of whoever made the change' }) actor_id!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Changed fields by path: `{"before": …, "after": …}`; a secret field only `{"changed": true}`',
    example: {
      'config.client_id': { before: 'abc', after: 'def' },
      'config.client_secret': { changed: true },
    },
  })
  changes!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' }) occurred_at!: string;
  @ApiProperty({ format: 'uuid', description: 'The change event this entry records' })
  event_id!: string;
}

export class ListAuditEntriesResponseDto {
  @ApiProperty({ type: [AuditEntryResponseDto], description: 'Newest first' })
  entries!: AuditEntryResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  next_cursor!: string | null;
}
