import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { createPlatformClient, callRpc } from '/work/main/test/support/grpc-client';
async function main() {
  const tenant = randomUUID();
  const holder = new Client({ connectionString: process.env.DATABASE_URL });
  await holder.connect(); await holder.query('BEGIN');
  await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`data-key:${tenant}`]);
  const client = createPlatformClient('127.0.0.1:5999');
  const started = Date.now();
  const call = callRpc(client, 'RegisterPlatform', { tenant_id: tenant, service_name: 'outlook', config: { client_id: 'c', client_secret: 's' } }, { deadlineMs: 20000 });
  await new Promise((r) => setTimeout(r, 300));
  process.kill(Number(process.env.APP_PID), 'SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  await holder.query('COMMIT'); await holder.end();
  const r = await call;
  console.log('grpc', r.status, r.error?.details, Date.now() - started);
  client.close();
}
void main();
