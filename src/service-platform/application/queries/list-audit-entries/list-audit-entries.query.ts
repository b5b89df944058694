import { Query } from '@nestjs/cqrs';
import type { Actor } from '../../../domain/actor';
import type { AuditEntry } from '../../ports/audit-trail.port';

export interface ListAuditEntriesResult {
  readonly entries: readonly AuditEntry[];
  readonly nextCursor: string | null;
}

/** A platform's audit trail, newest first. */
export class ListAuditEntriesQuery extends Query<ListAuditEntriesResult> {
  constructor(
    readonly actor: Actor,
    readonly platformId: string,
    /** 1 to 200, default 50. */
    readonly limit?: number,
    /** Opaque `next_cursor` of the previous page. */
    readonly cursor?: string,
  ) {
    super();
  }
}
