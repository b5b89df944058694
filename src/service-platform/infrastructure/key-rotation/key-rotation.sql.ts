import type { WrappedDataKey } from '../crypto/data-key-wrapper';
import type { EncryptedConfig } from '../../application/ports/config-cipher.port';
import { Prisma } from '../persistence/generated/client';
import { qualifiedTable } from '../persistence/prisma-sql';

/*
 * The raw SQL of key rotation, where Prisma has no equivalent: row locks, and multi-row updates
 * with per-row values in one statement (rows stay locked, and writers wait, for one round trip
 * rather than one per row).
 */

const table = qualifiedTable;

/** `SELECT ... FOR UPDATE` of platform rows, in id order (so lockers never deadlock each other). */
export async function lockPlatforms(
  db: Prisma.TransactionClient,
  schema: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  const idList = Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`));
  await db.$queryRaw`SELECT 1 FROM ${table(schema, 'service_platforms')} WHERE id IN (${idList}) ORDER BY id FOR UPDATE`;
}

/** Sets the encrypted columns (and nothing else: not `version`, not `updated_at`) of each row. */
export async function writeConfigs(
  db: Prisma.TransactionClient,
  schema: string,
  rows: readonly { readonly id: string; readonly encrypted: EncryptedConfig }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const values = Prisma.join(
    rows.map(
      ({ id, encrypted: e }) =>
        Prisma.sql`(${id}::uuid, ${e.keyId}::uuid, ${bytes(e.iv)}::bytea, ${bytes(e.authTag)}::bytea, ${bytes(e.ciphertext)}::bytea)`,
    ),
  );
  return db.$executeRaw`
    UPDATE ${table(schema, 'service_platforms')} AS sp
    SET data_key_id = v.data_key_id, config_iv = v.iv, config_auth_tag = v.tag,
        config_ciphertext = v.ciphertext
    FROM (VALUES ${values}) AS v (id, data_key_id, iv, tag, ciphertext)
    WHERE sp.id = v.id`;
}

/**
 * Compare-and-set of re-wrapped data keys: a row is written only if its `version` is still the
 * one read (which it then increments). Returns the ids written; the others lost to a concurrent
 * rotator.
 */
export async function writeWrappedKeysIfUnchanged(
  db: Prisma.TransactionClient,
  schema: string,
  rows: readonly {
    readonly id: string;
    readonly version: number;
    readonly wrapped: WrappedDataKey;
  }[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const values = Prisma.join(
    rows.map(
      ({ id, version, wrapped: w }) =>
        Prisma.sql`(${id}::uuid, ${version}::int, ${bytes(w.ciphertext)}::bytea, ${bytes(w.iv)}::bytea, ${bytes(w.authTag)}::bytea, ${w.masterKeyId}::varchar)`,
    ),
  );
  const written = await db.$queryRaw<{ id: string }[]>`
    UPDATE ${table(schema, 'tenant_data_keys')} AS k
    SET wrapped_key = v.wrapped, wrap_iv = v.iv, wrap_auth_tag = v.tag,
        master_key_id = v.master_key_id, version = k.version + 1
    FROM (VALUES ${values}) AS v (id, version, wrapped, iv, tag, master_key_id)
    WHERE k.id = v.id AND k.version = v.version
    RETURNING k.id::text AS id`;
  return new Set(written.map((row) => row.id));
}

function bytes(value: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(value);
}
