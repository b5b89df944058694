import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  IdempotencyStore,
  type IdempotencyClaim,
  type IdempotencyScope,
} from '../../application/ports/idempotency-store.port';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
} from '../../domain/platform.errors';
import { KeyRing } from '../crypto/key-ring';
import { SERVICE_PLATFORM_OPTIONS } from '../../service-platform.module-definition';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import type { Prisma } from './generated/client';
import { isLockTimeout } from './prisma-error.mapper';
import { PrismaTransactionHost } from './prisma-transaction.host';

/** The contract's lifetime of a key: 24 hours. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** How long a request waits for another one running with the same key before 409. */
export const DEFAULT_IDEMPOTENCY_WAIT_MS = 5_000;
const FINGERPRINT_CONTEXT = 'service-platform/idempotency-fingerprint/v1';

/**
 * Idempotency keys in `idempotency_keys`, claimed in the transaction of the change they guard.
 * A concurrent request with the same key blocks on the uncommitted row of the first one (the
 * primary key), so it waits for it to commit (then replays its answer) or to roll back (then
 * runs), for at most `waitMs`. The request is kept as an HMAC under a key derived from the
 * primary master key, never in clear: it may hold secrets.
 */
@Injectable()
export class PrismaIdempotencyStore extends IdempotencyStore {
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly fingerprintKeys = new Map<string, Buffer>();

  constructor(
    private readonly transactions: PrismaTransactionHost,
    private readonly keyRing: KeyRing,
    @Inject(SERVICE_PLATFORM_OPTIONS) options: ServicePlatformModuleOptions,
  ) {
    super();
    this.ttlMs = options.idempotency?.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.waitMs = options.idempotency?.waitMs ?? DEFAULT_IDEMPOTENCY_WAIT_MS;
  }

  async claim(
    scope: IdempotencyScope,
    operation: string,
    request: string,
  ): Promise<IdempotencyClaim> {
    if (!this.transactions.inTransaction) {
      throw new Error('IdempotencyStore.claim() must run inside UnitOfWork.run()');
    }
    const db = this.transactions.client;
    const where = { tenantScope_actorId_key: primaryKey(scope) };
    const keyId = this.keyRing.primary.id;
    // Both wait at most `waitMs` for a transaction holding the key: the delete too, which blocks
    // on one replacing an expired key (it waited for that transaction's whole length before).
    const inserted = await this.waitingAtMost(db, async () => {
      // A key past its lifetime is forgotten, as if it had been pruned.
      await db.idempotencyKey.deleteMany({
        where: { ...primaryKey(scope), expiresAt: { lte: new Date() } },
      });
      return db.idempotencyKey.createMany({
        data: [
          {
            ...primaryKey(scope),
            operation,
            fingerprint: new Uint8Array(this.fingerprint(keyId, operation, request)),
            fingerprintKey: keyId,
            response: {},
            expiresAt: new Date(Date.now() + this.ttlMs),
          },
        ],
        skipDuplicates: true,
      });
    });
    if (inserted.count === 1) return { kind: 'claimed' };

    const stored = await db.idempotencyKey.findUnique({ where });
    if (stored === null) throw new IdempotencyInProgressError(); // gone meanwhile: retry
    if (!this.sameRequest(stored, operation, request)) throw new IdempotencyKeyReusedError();
    return { kind: 'replay', response: stored.response };
  }

  async complete(scope: IdempotencyScope, response: unknown): Promise<void> {
    await this.transactions.client.idempotencyKey.update({
      where: { tenantScope_actorId_key: primaryKey(scope) },
      data: { response: response as Prisma.InputJsonValue },
    });
  }

  async prune(): Promise<number> {
    const { count } = await this.transactions.client.idempotencyKey.deleteMany({
      where: { expiresAt: { lte: new Date() } },
    });
    return count;
  }

  /**
   * Runs `statements` with `lock_timeout` at `waitMs` (restored afterwards): the wait for another
   * transaction holding the key. Past it, `IdempotencyInProgressError`.
   */
  private async waitingAtMost<T>(
    db: Prisma.TransactionClient,
    statement: () => Promise<T>,
  ): Promise<T> {
    const [setting] = await db.$queryRaw<{ previous: string }[]>`
      SELECT current_setting('lock_timeout') AS previous,
             set_config('lock_timeout', ${`${this.waitMs}ms`}, true) AS applied`;
    let result: T;
    try {
      result = await statement();
    } catch (error) {
      if (isLockTimeout(error)) throw new IdempotencyInProgressError();
      throw error;
    }
    await db.$queryRaw`SELECT set_config('lock_timeout', ${setting?.previous ?? '0'}, true)`;
    return result;
  }

  private sameRequest(
    stored: { operation: string; fingerprint: Uint8Array; fingerprintKey: string },
    operation: string,
    request: string,
  ): boolean {
    if (stored.operation !== operation) return false;
    // A key removed from the ring since: the request cannot be compared, so it is not replayed.
    if (this.keyRing.find(stored.fingerprintKey) === undefined) return false;
    const expected = this.fingerprint(stored.fingerprintKey, operation, request);
    return (
      stored.fingerprint.length === expected.length && timingSafeEqual(stored.fingerprint, expected)
    );
  }

  private fingerprint(keyId: string, operation: string, request: string): Buffer {
    return createHmac('sha256', this.fingerprintKey(keyId))
      .update(operation)
      .update('\n')
      .update(request)
      .digest();
  }

  /** A key of its own per master key (never the master key itself). */
  private fingerprintKey(keyId: string): Buffer {
    let key = this.fingerprintKeys.get(keyId);
    if (key === undefined) {
      const master = this.keyRing.find(keyId);
      if (master === undefined) throw new Error(`master key '${keyId}' is not in the ring`);
      key = createHmac('sha256', master.material).update(FINGERPRINT_CONTEXT).digest();
      this.fingerprintKeys.set(keyId, key);
    }
    return key;
  }
}

function primaryKey(scope: IdempotencyScope): {
  tenantScope: string;
  actorId: string;
  key: string;
} {
  return { tenantScope: scope.tenantId ?? '', actorId: scope.actorId, key: scope.key };
}
