import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { checkValueOf, KeyRing } from '../crypto/key-ring';
import { PrismaTransactionHost } from './prisma-transaction.host';

/** The ring's material for a master key id is not the one registered under that id. */
export class MasterKeyMismatchError extends Error {
  constructor(readonly masterKeyId: string) {
    super(
      `master key '${masterKeyId}' in ENCRYPTION_KEYS does not match the key registered under that ` +
        'id in master_keys (different key material for the same id): refusing to use it; give every ' +
        'instance and the rotation CLI the same material for that id',
    );
    this.name = 'MasterKeyMismatchError';
  }
}

/**
 * The `master_keys` table: one check value (see `checkValueOf`) per master key id. The first
 * instance to use an id registers it; any later use of that id with other material is refused,
 * so that a wrong key never wraps data keys nobody else can open. Queries join the surrounding
 * transaction (never a second connection from inside one).
 */
@Injectable()
export class PrismaMasterKeyRegistry {
  /** Ids proven (or registered, committed) with this ring's material. */
  private readonly verified = new Set<string>();

  constructor(
    private readonly transactions: PrismaTransactionHost,
    private readonly keyRing: KeyRing,
  ) {}

  /**
   * Resolves when the ring's material for `masterKeyId` is the registered one, registering it
   * when the id is unknown; rejects with `MasterKeyMismatchError` otherwise.
   */
  async assertUsable(masterKeyId: string): Promise<void> {
    if (this.verified.has(masterKeyId)) return;
    const key = this.keyRing.find(masterKeyId);
    if (key === undefined) {
      throw new Error(`master key '${masterKeyId}' is not in ENCRYPTION_KEYS`);
    }
    const checkValue = checkValueOf(key.material);
    const db = this.transactions.client;
    // INSERT ... ON CONFLICT DO NOTHING, then read back whichever value won.
    const { count: inserted } = await db.masterKey.createMany({
      data: [{ id: masterKeyId, checkValue: new Uint8Array(checkValue) }],
      skipDuplicates: true,
    });
    const stored = await db.masterKey.findUnique({ where: { id: masterKeyId } });
    if (stored === null || !sameCheckValue(stored.checkValue, checkValue)) {
      throw new MasterKeyMismatchError(masterKeyId);
    }
    // A registration made inside a transaction may still roll back: remember it once committed.
    if (inserted === 0 || !this.transactions.inTransaction) this.verified.add(masterKeyId);
  }

  /**
   * Checks every id of the ring that has a stored check value (registers none); rejects with
   * `MasterKeyMismatchError` naming the first id whose material differs.
   */
  async assertRingMatchesStored(): Promise<void> {
    const ids = this.keyRing.ids;
    const stored = await this.transactions.client.masterKey.findMany({
      where: { id: { in: [...ids] } },
    });
    const byId = new Map(stored.map((row) => [row.id, row.checkValue]));
    for (const id of ids) {
      const checkValue = byId.get(id);
      const key = this.keyRing.find(id);
      if (checkValue === undefined || key === undefined) continue;
      if (!sameCheckValue(checkValue, checkValueOf(key.material))) {
        this.verified.delete(id);
        throw new MasterKeyMismatchError(id);
      }
      this.verified.add(id);
    }
  }
}

function sameCheckValue(stored: Uint8Array, expected: Buffer): boolean {
  return stored.length === expected.length && timingSafeEqual(stored, expected);
}
