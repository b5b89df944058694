import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ServiceUnavailableError } from '../../domain/platform.errors';
import { checkValueOf, KeyRing } from './key-ring';
import { qualifiedTable } from '../persistence/prisma-sql';
import { translateStorageError } from '../persistence/prisma-error.mapper';
import { PrismaTransactionHost } from '../persistence/prisma-transaction.host';
import { PrismaService } from '../persistence/prisma.service';

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

/** Master key ids the stored data uses are missing from the ring. */
export class KeyRingIncompleteError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `master key id(s) ${missing.map((id) => `'${id}'`).join(', ')} wrap stored data keys but are ` +
        'not in ENCRYPTION_KEYS: this instance writes nothing but deactivations until its ring holds them (add a new ' +
        'key to a ring that still holds the old ones: that is a rotation)',
    );
    this.name = 'KeyRingIncompleteError';
  }
}

/** What clients are told when this instance's key ring does not fit the stored data. */
const NOT_WRITABLE =
  'This instance cannot write platform configurations: its encryption keys do not match the stored data';

export function isKeyRingError(error: unknown): error is Error {
  return error instanceof MasterKeyMismatchError || error instanceof KeyRingIncompleteError;
}

/**
 * A key ring that does not fit the stored data, as a request sees it: 503 with a generic message,
 * the key ids kept for the log. A database that cannot be reached for the check is a 503 too
 * (`translateStorageError`); any other error is returned as it is.
 */
export function asWriteRefusal(error: unknown): unknown {
  return isKeyRingError(error)
    ? new ServiceUnavailableError(NOT_WRITABLE, error.message)
    : translateStorageError(error);
}

/** How long a successful check lets writes through before the next one (ms). */
const VERIFIED_FOR_MS = 5_000;
/** The transaction-scoped advisory lock every registration of a master key id takes. */
const REGISTRATION_LOCK = 'service-platform/master-keys';

/**
 * The `master_keys` table (one check value, see `checkValueOf`, per master key id) and the rule
 * that keeps instances with different key rings from breaking each other: an instance writes
 * (wraps or uses a data key) only while its ring holds every master key id in use with the
 * registered material, and a new id is registered only by such an instance (a real rotation:
 * the new key added to a ring that still holds the old ones).
 *
 * The ids in use are those wrapping a stored data key; before any data key exists, those
 * registered (an instance that started first and registered its primary).
 */
@Injectable()
export class PrismaMasterKeyRegistry {
  private verifiedUntil = 0;
  /** Failed checks so far: a success remembered only when none failed while it ran. */
  private failures = 0;

  constructor(
    private readonly transactions: PrismaTransactionHost,
    private readonly prisma: PrismaService,
    private readonly keyRing: KeyRing,
  ) {}

  /**
   * Resolves when this instance may write: its ring holds every id in use with the registered
   * material. A success is remembered for a few seconds; a failure is never remembered.
   */
  async assertWritable(): Promise<void> {
    if (Date.now() < this.verifiedUntil) return;
    const startedAt = Date.now();
    const failuresBefore = this.failures;
    await this.assertRingCoversStoredKeys();
    // A check that failed meanwhile wins over this success (checks may finish out of order),
    // and the success counts from when this check started.
    if (this.failures === failuresBefore) this.verifiedUntil = startedAt + VERIFIED_FOR_MS;
  }

  /**
   * Rejects with `KeyRingIncompleteError` when an id in use is missing from the ring, and with
   * `MasterKeyMismatchError` when the ring's material for a registered id differs; registers
   * nothing.
   */
  async assertRingCoversStoredKeys(): Promise<void> {
    const db = this.transactions.client;
    const [inUse, registered] = await Promise.all([
      this.idsWrappingDataKeys(),
      db.masterKey.findMany({ select: { id: true, checkValue: true } }),
    ]);
    const required = inUse.length > 0 ? inUse : registered.map((row) => row.id);
    const missing = required.filter((id) => this.keyRing.find(id) === undefined);
    if (missing.length > 0) throw this.failed(new KeyRingIncompleteError(missing));
    for (const row of registered) {
      const key = this.keyRing.find(row.id);
      if (key !== undefined && !sameCheckValue(row.checkValue, checkValueOf(key.material))) {
        throw this.failed(new MasterKeyMismatchError(row.id));
      }
    }
  }

  /**
   * Resolves when `masterKeyId` may wrap data keys: the ring covers every id in use (see
   * `assertRingCoversStoredKeys`) and the id is registered with this ring's material, registering
   * it when unknown. Runs in a transaction of its own (or the caller's) under an advisory lock, so
   * that two instances with different rings cannot both register an id on an empty database.
   */
  async assertUsable(masterKeyId: string): Promise<void> {
    const key = this.keyRing.find(masterKeyId);
    if (key === undefined) {
      throw new KeyRingIncompleteError([masterKeyId]);
    }
    const registered = await this.transactions.client.masterKey.findUnique({
      where: { id: masterKeyId },
    });
    if (registered !== null) {
      if (!sameCheckValue(registered.checkValue, checkValueOf(key.material))) {
        throw this.failed(new MasterKeyMismatchError(masterKeyId));
      }
      // Already registered: nothing to register, so the lock is taken shared (exclusive, it
      // serialised every tenant's first write across instances until commit). Shared still
      // waits for a registration in flight, which holds it exclusively until it commits with its
      // first wrapped key, and the ring is checked now, never by a remembered check: a key is
      // wrapped only while the ring opens every id in use at that moment.
      await this.transactions.run(async () => {
        await this.transactions.client
          .$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${REGISTRATION_LOCK}, 0))`;
        await this.assertRingCoversStoredKeys();
      });
      return;
    }
    await this.transactions.run(async () => {
      const db = this.transactions.client;
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${REGISTRATION_LOCK}, 0))`;
      await this.assertRingCoversStoredKeys();
      await db.masterKey.createMany({
        data: [{ id: masterKeyId, checkValue: new Uint8Array(checkValueOf(key.material)) }],
        skipDuplicates: true,
      });
    });
  }

  /** Forgets any remembered success (see `assertWritable`) and gives `error` back to throw. */
  private failed(error: Error): Error {
    this.failures += 1;
    this.verifiedUntil = 0;
    return error;
  }

  /** Distinct `master_key_id`s of `tenant_data_keys`, by a skip scan of its index. */
  private async idsWrappingDataKeys(): Promise<string[]> {
    const table = qualifiedTable(this.prisma.schema, 'tenant_data_keys');
    const rows = await this.transactions.client.$queryRaw<{ id: string | null }[]>`
      WITH RECURSIVE ids(id) AS (
        (SELECT master_key_id FROM ${table} ORDER BY master_key_id LIMIT 1)
        UNION ALL
        SELECT (SELECT t.master_key_id FROM ${table} t
                WHERE t.master_key_id > ids.id ORDER BY t.master_key_id LIMIT 1)
        FROM ids WHERE ids.id IS NOT NULL
      )
      SELECT id FROM ids WHERE id IS NOT NULL`;
    return rows.map((row) => row.id).filter((id): id is string => id !== null);
  }
}

function sameCheckValue(stored: Uint8Array, expected: Buffer): boolean {
  return stored.length === expected.length && timingSafeEqual(stored, expected);
}
