// Baseline of `npm run bench:http`'s register row: raw `pg` doing the durable writes of a
// registration, with no framework: transaction 1 inserts the platform row and its outbox row;
// transaction 2 inserts the audit row and marks the outbox row done (what the relay does).
// 32 workers on a pool of 10, for the given time; one tenant (a service per request) or one
// tenant per request. Prints JSON: { ops, seconds, p50, p99 }.
//   node scripts/run-ts.cjs bench/baselines/raw-pg-writes.ts <database url> <ms> <one|each>
import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { newTimeOrderedId } from '../../src/service-platform/domain/identifiers';

const [url, ms, mode] = process.argv.slice(2);
const WORKERS = 32;

async function main(): Promise<void> {
  const pool = new Pool({
    connectionString: url,
    max: 10,
    options: '-c search_path=service_platform',
  });
  const tenant = randomUUID();
  // The tenant data key every row points at (the app creates one per tenant).
  const keyFor = new Map<string, string>();
  async function dataKey(tenantId: string): Promise<string> {
    let id = keyFor.get(tenantId);
    if (id !== undefined) return id;
    id = newTimeOrderedId();
    keyFor.set(tenantId, id);
    await pool.query(
      `INSERT INTO tenant_data_keys (id, tenant_id, wrapped_key, wrap_iv, wrap_auth_tag, master_key_id)
       VALUES ($1, $2, $3, $4, $5, 'bench')`,
      [id, tenantId, randomBytes(48), randomBytes(12), randomBytes(16)],
    );
    return id;
  }
  if (mode === 'one') await dataKey(tenant);
  let counter = 0;
  const latencies: number[] = [];
  const deadline = Date.now() + Number(ms);
  async function once(): Promise<void> {
    const tenantId = mode === 'one' ? tenant : randomUUID();
    const keyId = await dataKey(tenantId);
    const service = mode === 'one' ? `svc-${counter++}` : 'outlook';
    const platformId = newTimeOrderedId();
    const eventId = newTimeOrderedId();
    const payload = JSON.stringify({
      event_id: eventId,
      platform_id: platformId,
      tenant_id: tenantId,
    });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO service_platforms (id, tenant_id, service_name, config_ciphertext, config_iv,
           config_auth_tag, data_key_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [platformId, tenantId, service, randomBytes(200), randomBytes(12), randomBytes(16), keyId],
      );
      await client.query(
        `INSERT INTO outbox_events (id, platform_id, tenant_id, event_type, payload, changes,
           occurred_at, targets) VALUES ($1, $2, $3, 'platform.registered', $4, '{}', now(),
           ARRAY['audit', 'handlers'])`,
        [eventId, platformId, tenantId, payload],
      );
      await client.query('COMMIT');
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO audit_log (id, event_id, platform_id, tenant_id, action, actor_id, changes,
           occurred_at) VALUES ($1, $2, $3, $4, 'registered', 'bench', '{}', now())`,
        [newTimeOrderedId(), eventId, platformId, tenantId],
      );
      await client.query(`UPDATE outbox_events SET processed_at = now() WHERE id = $1`, [eventId]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  const started = Date.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (Date.now() < deadline) {
        const t = process.hrtime.bigint();
        await once();
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  process.stdout.write(
    `${JSON.stringify({ ops: latencies.length / seconds, seconds, p50: at(0.5), p99: at(0.99) })}\n`,
  );
  await pool.end();
}

void main();
