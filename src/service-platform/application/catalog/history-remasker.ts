import { Injectable } from '@nestjs/common';
import { diffConfigFields, type FieldChange, type FieldChanges } from '../../domain/field-changes';
import { MASKED_SECRET } from '../../domain/secret-fields';
import { MaskedHistoryStore, type MaskedHistoryRow } from '../ports/masked-history-store.port';
import { ServiceCatalog } from './service-catalog';

export interface RemaskSummary {
  readonly outboxRowsChecked: number;
  readonly outboxRowsRemasked: number;
  readonly auditEntriesChecked: number;
  readonly auditEntriesRemasked: number;
}

const BATCH = 500;

/**
 * Applies the catalog's rules to what was written under older, looser ones: outbox payloads and
 * the `changes` of outbox rows and audit entries. A field the catalog does not declare public is
 * masked (`"********"`, or `{"changed": true}` in a change list), wherever it was recorded in
 * clear. Idempotent: a second run changes nothing. Configurations themselves need nothing: they
 * are encrypted whole, and masked by the current rules whenever they are read.
 */
@Injectable()
export class HistoryRemasker {
  constructor(
    private readonly history: MaskedHistoryStore,
    private readonly catalog: ServiceCatalog,
  ) {}

  async remask(onBatch?: (summary: RemaskSummary) => void): Promise<RemaskSummary> {
    const summary = {
      outboxRowsChecked: 0,
      outboxRowsRemasked: 0,
      auditEntriesChecked: 0,
      auditEntriesRemasked: 0,
    };
    for (const table of ['outbox', 'audit'] as const) {
      for (let after: string | undefined; ;) {
        const rows = await this.history.page(table, after, BATCH);
        if (rows.length === 0) break;
        for (const row of rows) {
          const remasked = this.remasked(row);
          if (table === 'outbox') summary.outboxRowsChecked += 1;
          else summary.auditEntriesChecked += 1;
          if (remasked === undefined) continue;
          await this.history.rewrite(table, row.id, remasked);
          if (table === 'outbox') summary.outboxRowsRemasked += 1;
          else summary.auditEntriesRemasked += 1;
        }
        after = rows.at(-1)?.id;
        onBatch?.({ ...summary });
      }
    }
    return summary;
  }

  /** The row as the rules want it, or undefined when it already is. */
  private remasked(
    row: MaskedHistoryRow,
  ): Omit<MaskedHistoryRow, 'id' | 'serviceName'> | undefined {
    const policy = this.catalog.secretsOf(row.serviceName);
    const changes = remaskChanges(row.changes, policy);
    const config = row.config === undefined ? undefined : policy.mask(row.config);
    const same =
      JSON.stringify(changes) === JSON.stringify(row.changes) &&
      JSON.stringify(config) === JSON.stringify(row.config);
    return same ? undefined : { changes, ...(config !== undefined && { config }) };
  }
}

/**
 * A recorded change list under the catalog's rules. Older lists may hold deeper paths
 * (`config.additional_data.nested.key`): each is judged by its field (`additional_data.nested`).
 */
export function remaskChanges(
  changes: FieldChanges,
  policy: Parameters<typeof diffConfigFields>[3],
): FieldChanges {
  const result: Record<string, FieldChange> = {};
  for (const [path, change] of Object.entries(changes)) {
    const segments = path.split('.');
    if (segments[0] !== 'config' || !('before' in change)) {
      result[path] = change;
      continue;
    }
    const field =
      segments[1] === 'additional_data' ? segments.slice(1, 3).join('.') : (segments[1] ?? '');
    const shown =
      (change.before === null || policy.shows(field, change.before)) &&
      (change.after === null || policy.shows(field, change.after)) &&
      change.before !== MASKED_SECRET &&
      change.after !== MASKED_SECRET;
    result[path] = shown ? change : { changed: true };
  }
  return result;
}
