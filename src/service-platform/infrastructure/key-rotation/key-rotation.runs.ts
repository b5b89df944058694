import { newTimeOrderedId } from '../../domain/identifiers';
import type { KeyRotation } from '../persistence/generated/client';
import { isUniqueViolation } from '../persistence/prisma-error.mapper';
import type { PrismaTransactionHost } from '../persistence/prisma-transaction.host';

export type RotationRun = KeyRotation;

/**
 * The `key_rotations` table: one run per (primary master key, reencrypt). Opening a rotation finds
 * that run (to resume it, or to re-check a finished one) or creates it; its `started_at` (database
 * time) is what "a fresh data key" is measured against. Queries join the surrounding transaction.
 */
export class RotationRuns {
  constructor(private readonly transactions: PrismaTransactionHost) {}

  /** The run of that primary master key and mode; `created` when this call made it. */
  async open(
    masterKeyId: string,
    reencrypt: boolean,
  ): Promise<{ run: RotationRun; created: boolean }> {
    const where = { masterKeyId_reencrypt: { masterKeyId, reencrypt } };
    const db = this.transactions.client;
    const existing = await db.keyRotation.findUnique({ where });
    if (existing !== null) return { run: existing, created: false };
    try {
      const run = await db.keyRotation.create({
        data: { id: newTimeOrderedId(), masterKeyId, reencrypt },
      });
      return { run, created: true };
    } catch (error) {
      // Another rotator created it first: join that run.
      if (!isUniqueViolation(error)) throw error;
      return { run: await db.keyRotation.findUniqueOrThrow({ where }), created: false };
    }
  }

  find(runId: string): Promise<RotationRun | null> {
    return this.transactions.client.keyRotation.findUnique({ where: { id: runId } });
  }

  async add(
    runId: string,
    counts: { keysRewrapped?: number; configsReencrypted?: number },
  ): Promise<void> {
    if (!counts.keysRewrapped && !counts.configsReencrypted) return;
    await this.transactions.client.keyRotation.update({
      where: { id: runId },
      data: {
        keysRewrapped: { increment: counts.keysRewrapped ?? 0 },
        configsReencrypted: { increment: counts.configsReencrypted ?? 0 },
      },
    });
  }

  async finish(runId: string): Promise<RotationRun> {
    const [finished] = await this.transactions.client.$queryRaw<{ now: Date }[]>`SELECT now()`;
    return this.transactions.client.keyRotation.update({
      where: { id: runId },
      data: { finishedAt: finished?.now ?? new Date() },
    });
  }
}
