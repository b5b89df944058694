import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Client } from 'pg';
import { platformAdminToken } from '../support/auth';
import { canarySecret, newTenantId, validConfig } from '../support/fixtures';
import { callRpc, createPlatformClient, freePort } from '../support/grpc-client';
import { API } from './e2e-helpers';
import { startEventsEnvironment, type EventsEnvironment } from './events/events-harness';
import { describeWithRedis } from '../support/suite-requirements';

const root = path.join(__dirname, '..', '..');

interface Outcome {
  status: number | 'refused';
  platformId?: string;
}

/**
 * Issue 10, item 9: SIGTERM under load. The demo app runs as its own process (`src/main.ts`);
 * requests are in flight over REST and gRPC when it gets SIGTERM (some held mid-transaction by
 * an advisory lock the test owns). Readiness must turn 503 at once, the requests in flight must
 * finish, the process must exit 0 within its bound, and every request that got a 2xx must be in
 * the database with its event delivered.
 */
describeWithRedis('graceful shutdown under load (SIGTERM, app in its own process)', () => {
  let env: EventsEnvironment;
  let child: ChildProcess;
  let url: string;
  let grpcAddress: string;
  let output = '';

  beforeAll(async () => {
    env = await startEventsEnvironment('shutdown');
    const [port, grpcPort] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    grpcAddress = `127.0.0.1:${grpcPort}`;
    child = spawn(process.execPath, [path.join(root, 'scripts', 'run-ts.cjs'), 'src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: '0',
        DATABASE_URL: env.database.url,
        REDIS_URL: env.redis.url,
        SHUTDOWN_TIMEOUT_MS: '10000',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the app exited: ${output}`);
      const live = await fetch(`${url}/health/live`).then(
        (res) => res.ok,
        () => false,
      );
      if (live) break;
      if (Date.now() > deadline) throw new Error(`the app did not start in 30 s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 60_000);

  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await env?.close();
  });

  function register(tenantId: string): Promise<Outcome> {
    return fetch(`${url}${API}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${platformAdminToken()}`,
      },
      body: JSON.stringify({
        tenant_id: tenantId,
        service_name: 'outlook',
        config: validConfig('outlook', { client_secret: canarySecret('shutdown') }),
      }),
    }).then(
      async (res) => {
        const body = (await res.json()) as { platform?: { id: string } };
        return { status: res.status, ...(body.platform && { platformId: body.platform.id }) };
      },
      () => ({ status: 'refused' as const }),
    );
  }

  it('drains REST and gRPC in flight, exits 0, loses no 2xx and no event', async () => {
    // Four first writes of new tenants, held mid-transaction (the data-key lock of their tenant).
    const held = [newTenantId(), newTenantId(), newTenantId(), newTenantId()];
    const holder = new Client({ connectionString: env.database.url });
    await holder.connect();
    await holder.query('BEGIN');
    for (const tenantId of held) {
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `data-key:${tenantId}`,
      ]);
    }
    const heldRest = held.slice(0, 3).map((tenantId) => register(tenantId));
    const grpc = createPlatformClient(grpcAddress);
    const heldGrpc = callRpc<{ platform: { id: string } }>(
      grpc,
      'RegisterPlatform',
      {
        tenant_id: held[3],
        service_name: 'outlook',
        config: validConfig('outlook', { client_secret: canarySecret('grpc') }),
      },
      { deadlineMs: 20_000 },
    );

    // Background load: one write after another until the server refuses.
    const load: Outcome[] = [];
    let loading = true;
    const loadLoop = (async () => {
      while (loading) {
        const outcome = await register(newTenantId());
        load.push(outcome);
        if (outcome.status === 'refused') await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(load.filter((outcome) => outcome.status === 201).length).toBeGreaterThan(0);

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Readiness is 503 at once (or the listener is already closed): never 200 again.
    const ready = await fetch(`${url}/health/ready`).then(
      (res) => res.status,
      () => 'refused',
    );
    expect(ready === 503 || ready === 'refused').toBe(true);

    // The held requests are still running; let them finish.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await holder.query('COMMIT');
    await holder.end();

    const [code] = await exited;
    const tookMs = Date.now() - signalledAt;
    loading = false;
    await loadLoop;
    grpc.close();
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    expect(tookMs).toBeLessThan(10_000);

    // Every request in flight at SIGTERM finished with its 2xx.
    const restHeld = await Promise.all(heldRest);
    expect(restHeld.map((outcome) => outcome.status)).toEqual([201, 201, 201]);
    const grpcHeld = await heldGrpc;
    expect(grpcHeld.status).toBe('OK');

    // After SIGTERM the load got 201 (in flight), 503 (new on a kept connection) or a refusal.
    for (const outcome of load) expect([201, 503, 'refused']).toContain(outcome.status);

    // Every 2xx is in the database, and its event was delivered before the process exited.
    const succeeded = [...restHeld, ...load.filter((outcome) => outcome.status === 201)].map(
      (outcome) => outcome.platformId as string,
    );
    succeeded.push(grpcHeld.value?.platform.id as string);
    const { rows } = await env.sql.query<{ id: string }>(
      'SELECT id FROM service_platforms WHERE id = ANY($1::uuid[])',
      [succeeded],
    );
    expect(rows.length).toBe(succeeded.length);
    const pending = await env.sql.query<{ n: string }>(
      'SELECT count(*) AS n FROM outbox_events WHERE processed_at IS NULL',
    );
    expect(pending.rows[0]?.n).toBe('0');
    await env.subscriber.waitFor(
      () => succeeded.every((id) => env.subscriber.of(id).length === 1),
      5_000,
      'an event per 2xx',
    );
  }, 60_000);
});
