import { randomBytes } from 'node:crypto';
import { newTimeOrderedId } from '../../domain/identifiers';
import type { DataKey, DataKeyStore } from '../crypto/data-key.store';
import type { DataKeyWrapper } from '../crypto/data-key-wrapper';
import type { PrismaTransactionHost } from '../persistence/prisma-transaction.host';

const DATA_KEY_BYTES = 32;
/** Fresh keys remembered per run; a forgotten one is simply looked up again. */
const CACHE_LIMIT = 10_000;
/** First key of `pg_advisory_xact_lock(int, int)`: "fresh data key of a tenant" (the second is the tenant). */
const FRESH_KEY_LOCK = 0x5350_4b52; // 'SPKR'

/**
 * The fresh data key of each tenant for one re-encryption run: the tenant's newest key if it was
 * created at or after the run started, else a new key (which, being the newest, is also what the
 * service encrypts new writes with from then on). A per-tenant advisory lock makes concurrent
 * rotators agree on one fresh key instead of creating one each.
 */
export class FreshDataKeys {
  private readonly keys = new Map<string, DataKey>();

  constructor(
    private readonly transactions: PrismaTransactionHost,
    private readonly wrapper: DataKeyWrapper,
    private readonly dataKeys: DataKeyStore,
    /** The run's start (database time). */
    readonly since: Date,
  ) {}

  /** Must be called outside a transaction: it commits the new key before anyone encrypts with it. */
  async of(tenantId: string): Promise<DataKey> {
    const known = this.keys.get(tenantId);
    if (known !== undefined) return known;
    const key = await this.transactions.run(async () => {
      const db = this.transactions.client;
      await db.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(${FRESH_KEY_LOCK}::int, hashtext(${tenantId}))`;
      const newest = await db.tenantDataKey.findFirst({
        where: { tenantId },
        orderBy: { id: 'desc' },
        select: { id: true, createdAt: true },
      });
      if (newest !== null && newest.createdAt >= this.since) {
        return this.dataKeys.keyById(tenantId, newest.id);
      }
      return this.create(tenantId, newest?.id);
    });
    if (this.keys.size >= CACHE_LIMIT) this.keys.clear();
    this.keys.set(tenantId, key);
    return key;
  }

  private async create(tenantId: string, newestId: string | undefined): Promise<DataKey> {
    const id = newTimeOrderedId();
    if (newestId !== undefined && id <= newestId) {
      // The service encrypts with the key of greatest id: a smaller one would never be used.
      throw new Error(
        `cannot create a fresh data key for tenant ${tenantId}: its newest data key ${newestId} ` +
          "has a later time-ordered id (is this host's clock behind?)",
      );
    }
    const key: DataKey = { id, tenantId, material: randomBytes(DATA_KEY_BYTES) };
    const wrapped = this.wrapper.wrap(tenantId, id, key.material);
    await this.transactions.client.tenantDataKey.create({
      data: {
        id,
        tenantId,
        wrappedKey: new Uint8Array(wrapped.ciphertext),
        wrapIv: new Uint8Array(wrapped.iv),
        wrapAuthTag: new Uint8Array(wrapped.authTag),
        masterKeyId: wrapped.masterKeyId,
      },
    });
    return key;
  }
}
