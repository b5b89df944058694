import { AuditAction } from '../../domain/events/platform-event-type';
import { newTimeOrderedId } from '../../domain/identifiers';
import type { DataKey, DataKeyStore } from '../crypto/data-key.store';
import { reencryptConfig } from '../crypto/envelope-config.cipher';
import type { Prisma } from '../persistence/generated/client';
import type { RotationBatches } from './key-rotation.batches';
import { lockPlatforms, writeConfigs } from './key-rotation.sql';
import type { FreshDataKeys } from './key-rotation.fresh-keys';
import type { RotationRuns } from './key-rotation.runs';
import type { PrismaTransactionHost } from '../persistence/prisma-transaction.host';
import type { PrismaService } from '../persistence/prisma.service';
import { ServicePlatformPersistenceMapper as Mapper } from '../persistence/service-platform.persistence-mapper';

/** The `actor_id` of the audit entries key rotation writes. */
export const KEY_ROTATION_ACTOR = 'system:key-rotation';

/** Passes over the stale rows before giving up (each pass only finds rows raced by a writer). */
const MAX_PASSES = 20;
const PAUSE_BETWEEN_PASSES_MS = 50;

/**
 * Re-encrypt phase: every configuration under a data key older than the run is re-encrypted under
 * its tenant's fresh key, content, `version` and `updated_at` untouched (clients' ETags stay valid).
 *
 * A batch is one transaction that locks its rows (`SELECT ... FOR UPDATE`, in id order) and reads
 * them again before re-encrypting: writers lock a row for their whole read-modify-write too, so
 * the two take turns and neither loses the other's change. A writer may still write with the key
 * it fetched just before the fresh key existed; such rows are stale again, so passes repeat until
 * none is left.
 */
export class ConfigReencryptor {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: PrismaTransactionHost,
    private readonly dataKeys: DataKeyStore,
    private readonly runs: RotationRuns,
  ) {}

  countStale(since: Date): Promise<number> {
    return this.prisma.servicePlatform.count({ where: staleSince(since) });
  }

  countOldKeys(since: Date): Promise<number> {
    return this.prisma.tenantDataKey.count({ where: { createdAt: { lt: since } } });
  }

  async reencryptAll(runId: string, fresh: FreshDataKeys, batches: RotationBatches): Promise<void> {
    let total = await this.countStale(fresh.since);
    if (total === 0) return;
    batches.start('reencrypt', total);
    let done = 0;
    let after: string | undefined;
    for (let pass = 1; ;) {
      const batch = await this.prisma.servicePlatform.findMany({
        where: { ...staleSince(fresh.since), ...(after !== undefined && { id: { gt: after } }) },
        orderBy: { id: 'asc' },
        take: batches.size,
        select: { id: true, tenantId: true },
      });
      if (batch.length === 0) {
        const left = await this.countStale(fresh.since);
        if (left === 0 || pass >= MAX_PASSES) return;
        // Rows written with an old key by a writer that was in flight: go round again.
        pass++;
        after = undefined;
        total = done + left;
        await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_PASSES_MS));
        continue;
      }
      // Fresh keys are committed before any row is encrypted with them.
      const freshKeys = new Map<string, DataKey>();
      for (const { tenantId } of batch) {
        if (!freshKeys.has(tenantId)) freshKeys.set(tenantId, await fresh.of(tenantId));
      }
      const reencrypted = await this.reencryptBatch(
        runId,
        batch.map((row) => row.id),
        fresh.since,
        freshKeys,
      );
      done += batch.length;
      total = Math.max(total, done);
      after = batch.at(-1)?.id;
      batches.committed({ phase: 'reencrypt', done, total }, { configsReencrypted: reencrypted });
    }
  }

  private reencryptBatch(
    runId: string,
    ids: string[],
    since: Date,
    freshKeys: ReadonlyMap<string, DataKey>,
  ): Promise<number> {
    return this.transactions.run(async () => {
      const db = this.transactions.client;
      await lockPlatforms(db, this.prisma.schema, ids);
      // Read after locking: what concurrent writers committed meanwhile is what gets re-encrypted.
      const rows = await db.servicePlatform.findMany({
        where: { id: { in: ids }, ...staleSince(since) },
        orderBy: { id: 'asc' },
      });
      const reencrypted = [];
      const audit: Prisma.AuditLogEntryCreateManyInput[] = [];
      const now = new Date();
      for (const row of rows) {
        const to = freshKeys.get(row.tenantId);
        if (to === undefined) throw new Error(`no fresh data key for tenant ${row.tenantId}`);
        const from = await this.dataKeys.keyById(row.tenantId, row.dataKeyId);
        reencrypted.push({
          id: row.id,
          encrypted: reencryptConfig(
            Mapper.encryptedConfigOf(row),
            Mapper.bindingOf(row),
            from,
            to,
          ),
        });
        // One audit entry per re-encrypted configuration, committed with it. Key ids are not
        // secret (the material never leaves the key store); the configuration did not change.
        audit.push({
          id: newTimeOrderedId(),
          eventId: newTimeOrderedId(),
          platformId: row.id,
          tenantId: row.tenantId,
          action: AuditAction.KeyRotated,
          actorId: KEY_ROTATION_ACTOR,
          changes: { data_key_id: { before: row.dataKeyId, after: to.id } },
          occurredAt: now,
        });
      }
      await writeConfigs(db, this.prisma.schema, reencrypted); // not version, not updated_at
      await db.auditLogEntry.createMany({ data: audit });
      await this.runs.add(runId, { configsReencrypted: rows.length });
      return rows.length;
    });
  }
}

function staleSince(since: Date): Prisma.ServicePlatformWhereInput {
  return { dataKey: { createdAt: { lt: since } } };
}
