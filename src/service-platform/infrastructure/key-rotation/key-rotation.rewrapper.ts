import type { DataKeyWrapper, WrappedDataKey } from '../crypto/data-key-wrapper';
import type { TenantDataKey } from '../persistence/generated/client';
import { writeWrappedKeysIfUnchanged } from './key-rotation.sql';
import type { RotationBatches } from './key-rotation.batches';
import type { RotationRuns } from './key-rotation.runs';
import type { PrismaService } from '../persistence/prisma.service';

/** Attempts per batch when other rotators keep winning compare-and-sets. */
const MAX_ATTEMPTS = 5;

/**
 * Re-wrap phase: every data key not wrapped by the primary master key is opened with the master key
 * that wrapped it and wrapped again with the primary (fresh IV). The data key itself (and so every
 * configuration it encrypts) is unchanged. A batch is written with a compare-and-set on each row's
 * `version`, so concurrent rotators cannot overwrite each other; whatever is left over (a lost race,
 * a key created meanwhile by an instance still running with the old primary) is found again by
 * the next pass, because a pass selects what is still not on the primary.
 */
export class DataKeyRewrapper {
  constructor(
    private readonly prisma: PrismaService,
    private readonly wrapper: DataKeyWrapper,
    private readonly runs: RotationRuns,
  ) {}

  countLeft(): Promise<number> {
    return this.prisma.tenantDataKey.count({ where: this.notOnPrimary() });
  }

  /** One pass in id order over the keys still on another master key. */
  async rewrapAll(runId: string, batches: RotationBatches): Promise<void> {
    let total = await this.countLeft();
    if (total === 0) return;
    batches.start('rewrap', total);
    let done = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await this.prisma.tenantDataKey.findMany({
        where: { ...this.notOnPrimary(), ...(after !== undefined && { id: { gt: after } }) },
        orderBy: { id: 'asc' },
        take: batches.size,
      });
      if (batch.length === 0) return;
      const rewrapped = await this.rewrapBatch(batch);
      await this.runs.add(runId, { keysRewrapped: rewrapped });
      done += batch.length;
      total = Math.max(total, done);
      after = batch.at(-1)?.id;
      batches.committed({ phase: 'rewrap', done, total }, { keysRewrapped: rewrapped });
    }
  }

  /** Re-wraps a batch in one compare-and-set statement; rows that lost a race are read again. */
  private async rewrapBatch(keys: readonly TenantDataKey[]): Promise<number> {
    let pending = keys;
    let rewrapped = 0;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt++) {
      const rows = pending
        .filter((key) => key.masterKeyId !== this.wrapper.primaryMasterKeyId)
        .map((key) => ({ id: key.id, version: key.version, wrapped: this.rewrap(key) }));
      const written = await writeWrappedKeysIfUnchanged(this.prisma, this.prisma.schema, rows);
      rewrapped += written.size;
      const lost = rows.filter((row) => !written.has(row.id)).map((row) => row.id);
      if (lost.length === 0) break;
      // Another rotator got there first: look at those rows as they are now.
      pending = await this.prisma.tenantDataKey.findMany({ where: { id: { in: lost } } });
    }
    return rewrapped;
  }

  /** The same data key, wrapped by the primary master key instead of the one that wrapped it. */
  private rewrap(key: TenantDataKey): WrappedDataKey {
    const material = this.wrapper.unwrap(key.tenantId, key.id, {
      masterKeyId: key.masterKeyId,
      iv: key.wrapIv,
      authTag: key.wrapAuthTag,
      ciphertext: key.wrappedKey,
    });
    try {
      return this.wrapper.wrap(key.tenantId, key.id, material);
    } finally {
      material.fill(0);
    }
  }

  private notOnPrimary() {
    return { masterKeyId: { not: this.wrapper.primaryMasterKeyId } };
  }
}
