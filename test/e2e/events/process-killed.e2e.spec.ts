import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import request from 'supertest';
import { platformAdminToken } from '../../support/auth';
import { newTenantId, validConfig } from '../../support/fixtures';
import { freePort } from '../../support/grpc-client';
import { TcpProxy } from '../../support/tcp-proxy';
import { API } from '../e2e-helpers';
import {
  startEventsEnvironment,
  waitForDrainedOutbox,
  type EventsEnvironment,
} from './events-harness';
import { describeWithRedis } from '../../support/suite-requirements';

const root = path.join(__dirname, '..', '..', '..');

interface RunningApp {
  child: ChildProcess;
  url: string;
}

/**
 * The demo app as its own process (`src/main.ts` through the bench's TypeScript runner), killed
 * with SIGKILL after a change committed and before its event was published: the restarted app
 * publishes it. Nothing in memory is needed for delivery; the outbox row is enough.
 */
describeWithRedis('app process killed between commit and publish', () => {
  let env: EventsEnvironment;
  let proxy: TcpProxy;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    env = await startEventsEnvironment('killed');
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: env.redis.port });
  }, 60_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await proxy?.close();
    await env?.close();
  });

  async function startAppProcess(): Promise<RunningApp> {
    const [port, grpcPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [path.join(root, 'scripts', 'run-ts.cjs'), 'src/main.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          PORT: String(port),
          GRPC_PORT: String(grpcPort),
          METRICS_PORT: '0',
          DATABASE_URL: env.database.url,
          REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
          LOG_LEVEL: 'silent',
        },
        stdio: 'ignore',
      },
    );
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
      const live = await request(url)
        .get('/health/live')
        .then((res) => res.status === 200)
        .catch(() => false);
      if (live) return { child, url };
      if (Date.now() > deadline) throw new Error('the app did not start in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('the restarted app publishes the event the killed one committed', async () => {
    await proxy.close(); // Redis unreachable: the first app commits but cannot publish
    const first = await startAppProcess();
    const tenantId = newTenantId();
    const res = await request(first.url)
      .post(API)
      .set('Authorization', `Bearer ${platformAdminToken()}`)
      .send({
        tenant_id: tenantId,
        service_name: 'outlook',
        config: validConfig('outlook'),
      });
    expect(res.status).toBe(201);
    const id = (res.body as { platform: { id: string } }).platform.id;

    // Wait until the first app has tried (and failed) to publish, so that it holds no lease.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await env.sql.query<{ attempts: number; leased_until: Date | null }>(
        'SELECT attempts, leased_until FROM outbox_events WHERE platform_id = $1',
        [id],
      );
      if ((rows[0]?.attempts ?? 0) >= 1 && rows[0]?.leased_until === null) break;
      if (Date.now() > deadline) throw new Error('the first app never attempted the publish');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    expect(env.subscriber.of(id)).toEqual([]);

    await proxy.open();
    await startAppProcess();
    await env.subscriber.waitFor(() => env.subscriber.of(id).length === 1, 30_000, 'the event');
    await waitForDrainedOutbox(env.sql);
    expect(env.subscriber.of(id)[0]?.data).toMatchObject({
      event_type: 'platform.registered',
      platform_id: id,
      tenant_id: tenantId,
      version: 1,
    });
    const { rows: audit } = await env.sql.query(
      'SELECT action FROM audit_log WHERE platform_id = $1',
      [id],
    );
    expect(audit).toEqual([{ action: 'registered' }]);
  }, 120_000);
});
