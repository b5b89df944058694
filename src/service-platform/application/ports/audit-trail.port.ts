import type { FieldChanges } from '../../domain/field-changes';
import type { AuditAction } from '../../domain/events/platform-event-type';

export interface AuditEntry {
  readonly id: string;
  readonly eventId: string;
  readonly platformId: string;
  readonly tenantId: string;
  readonly action: AuditAction;
  readonly actorId: string;
  readonly changes: FieldChanges;
  readonly occurredAt: Date;
}

/** Keyset position in a platform's audit trail (newest first). */
export interface AuditCursor {
  readonly occurredAt: Date;
  readonly id: string;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly next: AuditCursor | null;
}

/** The audit trail (contract "Audit trail"). */
export abstract class AuditTrail {
  /** Writes the entry unless one already records its event (idempotent on `eventId`). */
  abstract record(entry: Omit<AuditEntry, 'id'>): Promise<void>;

  /** A platform's entries, newest first. */
  abstract listByPlatform(
    platformId: string,
    page: { readonly limit: number; readonly before?: AuditCursor },
  ): Promise<AuditPage>;
}
