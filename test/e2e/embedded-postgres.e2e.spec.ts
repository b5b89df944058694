import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { platformAdminToken } from '../support/auth';
import { newTenantId, validConfig } from '../support/fixtures';
import { freePort } from '../support/grpc-client';
import { API } from './e2e-helpers';

const root = path.join(__dirname, '..', '..');

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/**
 * Issue 13: with DATABASE_URL unset the demo app runs on an embedded PostgreSQL from npm (as root
 * here, through a system user of its own), applies the migrations, keeps the data across
 * restarts and stops the server when it shuts down; in production DATABASE_URL stays required.
 */
describe('the demo app on its embedded PostgreSQL (DATABASE_URL unset)', () => {
  let dataRoot: string;
  let embeddedPort: number;

  beforeAll(async () => {
    dataRoot = mkdtempSync(path.join(tmpdir(), 'sp-embedded-'));
    chmodSync(dataRoot, 0o755);
    embeddedPort = await freePort();
  });

  const children: ChildProcess[] = [];

  afterAll(() => {
    // An app that failed to start (or a failed test's) must not outlive the run.
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataRoot, { recursive: true, force: true });
  });

  async function start(extraEnv: Record<string, string> = {}): Promise<Running> {
    const [port, grpcPort] = [await freePort(), await freePort()];
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      METRICS_PORT: '0',
      EMBEDDED_POSTGRES_DIR: path.join(dataRoot, 'postgres'),
      EMBEDDED_POSTGRES_PORT: String(embeddedPort),
      LOG_LEVEL: 'info',
      ...extraEnv,
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    const child = spawn(
      process.execPath,
      [path.join(root, 'scripts', 'run-ts.cjs'), 'src/main.ts'],
      {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Listening: REST')) {
      if (child.exitCode !== null) throw new Error(`the app exited: ${output}`);
      if (Date.now() > deadline) throw new Error(`the app did not start in 60 s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { child, url: `http://127.0.0.1:${port}`, output: () => output };
  }

  async function stop(running: Running): Promise<void> {
    running.child.kill('SIGTERM');
    const [code] = (await once(running.child, 'exit')) as [number | null];
    expect(code).toBe(0);
  }

  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${platformAdminToken()}`,
  };

  it('starts it, says so once, serves REST, and keeps the data across a restart', async () => {
    const first = await start();
    const line =
      first
        .output()
        .split('\n')
        .find((l) => l.includes('Listening: REST')) ?? '';
    expect(line).toContain(`embedded PostgreSQL 127.0.0.1:${embeddedPort}`);
    expect(line).toContain('no Redis (events in-process, cache in memory)');
    expect(first.output().match(/EMBEDDED DEVELOPMENT PostgreSQL/g)).toHaveLength(1);
    // Each development-secret warning once, not once per validation of the environment.
    expect(first.output().match(/SERVICE_PLATFORM_DEV_KEY/g) ?? []).toHaveLength(
      process.env.ENCRYPTION_KEYS === undefined ? 1 : 0,
    );

    const tenant = newTenantId();
    const created = await fetch(`${first.url}${API}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        tenant_id: tenant,
        service_name: 'slack',
        config: validConfig('slack'),
      }),
    });
    expect(created.status).toBe(201);
    const { platform } = (await created.json()) as { platform: { id: string } };
    expect((await fetch(`${first.url}/api/docs-json`)).status).toBe(200);
    await stop(first);
    // The server stopped with the app: nothing answers on its port any more.
    const probe = spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', String(embeddedPort)]);
    if (probe.error === undefined) expect(probe.status).not.toBe(0);

    const second = await start();
    try {
      const read = await fetch(`${second.url}${API}/${platform.id}`, { headers });
      expect(read.status).toBe(200);
    } finally {
      await stop(second);
    }
  }, 180_000);

  it('is never used in production: DATABASE_URL stays required', () => {
    const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production' };
    delete env.DATABASE_URL;
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'scripts', 'run-ts.cjs'), 'src/main.ts'],
      {
        cwd: root,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL is required in production');
  }, 90_000);
});
