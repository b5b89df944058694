import type { FieldChanges } from '../../domain/field-changes';

/** One stored record of a change: an outbox row (with its event's config) or an audit entry. */
export interface MaskedHistoryRow {
  readonly id: string;
  /** The service of the platform the record is about. */
  readonly serviceName: string;
  readonly changes: FieldChanges;
  /** The masked configuration of an outbox row's event payload (audit entries have none). */
  readonly config?: Record<string, unknown>;
}

/** Where changes were recorded with configuration values: the outbox and the audit trail. */
export abstract class MaskedHistoryStore {
  /** Rows in id order after `after`, at most `limit`. */
  abstract page(
    table: 'outbox' | 'audit',
    after: string | undefined,
    limit: number,
  ): Promise<MaskedHistoryRow[]>;

  abstract rewrite(
    table: 'outbox' | 'audit',
    id: string,
    row: Pick<MaskedHistoryRow, 'changes' | 'config'>,
  ): Promise<void>;
}
