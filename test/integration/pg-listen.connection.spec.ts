import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { PgListenConnection } from '../../src/service-platform/infrastructure/listen/pg-listen.connection';
import { TcpProxy } from '../support/tcp-proxy';

const ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The reconnecting LISTEN connection on a real PostgreSQL, through a TCP proxy that can go
 * silent: notifications of its schema arrive, and a connection that stops answering is noticed
 * by the heartbeat (not by the operating system hours later), reported lost, and re-established.
 */
describe('PgListenConnection (real PostgreSQL)', () => {
  const channel = `test_listen_${randomUUID().replaceAll('-', '')}`;
  let proxy: TcpProxy;
  let notifier: Client;
  let connection: PgListenConnection;
  const received: string[][] = [];
  const lifecycle: string[] = [];

  beforeAll(async () => {
    const target = new URL(ADMIN_URL);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    notifier = new Client({ connectionString: ADMIN_URL });
    await notifier.connect();
    connection = new PgListenConnection(
      channel,
      {
        newClient: () =>
          new Client({
            connectionString: proxy.rewrite(ADMIN_URL),
            connectionTimeoutMillis: 2_000,
          }),
        schema: 'sch',
      },
      new Logger('PgListenConnectionTest'),
      {
        fields: 2,
        onNotification: (fields) => received.push([...fields]),
        onListening: () => lifecycle.push('listening'),
        onLost: () => lifecycle.push('lost'),
      },
      { heartbeatMs: 100, heartbeatTimeoutMs: 200 },
    );
    await connection.open();
  });

  afterAll(async () => {
    await connection?.close();
    await notifier?.end();
    await proxy?.close();
  });

  const notify = (payload: string) =>
    notifier.query('SELECT pg_notify($1, $2)', [channel, payload]);

  it("hears its schema's notifications, with their fields", async () => {
    expect(lifecycle).toEqual(['listening']);
    await notify('other a b');
    await notify('sch a');
    await notify('sch 1 2');
    await until(() => received.length > 0);
    expect(received).toEqual([['1', '2']]);
  });

  it('a connection gone silent is reported lost by the heartbeat, then re-established', async () => {
    await proxy.stall();
    await until(() => lifecycle.includes('lost'), 5_000);
    await proxy.open();
    await until(() => lifecycle.filter((step) => step === 'listening').length === 2);
    expect(lifecycle).toEqual(['listening', 'lost', 'listening']);
    received.length = 0;
    await notify('sch 3 4');
    await until(() => received.length > 0);
    expect(received).toEqual([['3', '4']]);
  });

  it('closes promptly even when the server has gone silent (a shutdown is not held up)', async () => {
    await proxy.stall();
    const started = Date.now();
    await connection.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    await proxy.open();
  });
});
