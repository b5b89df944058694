// The REST and write paths against their baselines, in one run (issue 14):
//   - cached GET /api/v1/platforms/{id} (a real tenant-admin token, the real guards, 200 and a
//     full body) and GET /health/live, against a minimal Nest 12 + Fastify app serving the same
//     JSON from memory (bench/baselines/nest-fastify.ts), 64 connections;
//   - POST /api/v1/platforms at 32 connections, for one tenant (a service per request) and for a
//     tenant per request, against raw `pg` doing the same durable writes
//     (bench/baselines/raw-pg-writes.ts);
//   - a list page of 50 in a tenant of 1,000 and of 100,000 platforms (bench/seed-platforms.ts),
//     16 connections;
//   - the app's RSS idle (5 s after start, and after a minute without work) and under the GET load.
// The app is the built one (`node dist/main.js`), logging at info to a file, as a user runs it;
// autocannon drives it from this process (the app runs in its own). Results go to BENCHMARKS.md.
//
//   npm run bench:http                  (builds, then runs this; ~5 minutes)
//   BENCH_SCALE=0.5 npm run bench:http  (shorter phases)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { JwtService } from '@nestjs/jwt';
import { freePort } from '../test/support/grpc-client';
import { Client as PgClient } from 'pg';
import {
  cleanUpStep,
  cpuSeconds,
  JWT_SECRET,
  machineInfo,
  prepareDatabase,
  renderMachine,
  ROOT,
  runBenchmark,
  seconds,
  sleep,
} from './bench-support';
import { seedPlatforms } from './seed-platforms';

const SECTION = {
  begin: '<!-- http:begin -->',
  end: '<!-- http:end -->',
  heading: 'REST and write paths against their baselines (`npm run bench:http`)',
};
const ENCRYPTION_KEYS = `bench:${Buffer.alloc(32, 7).toString('base64')}`;
const DURATION = seconds(5);
/** How long the app idles before its settled RSS is read. */
const SETTLE_MS = seconds(60);
const WARMUP = seconds(2);

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** The server's CPU time per request (µs), when its pid was given. */
  cpuUs?: number;
}

function rssOf(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? '0');
  return Math.round(kb / 1024);
}

async function waitFor(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start`);
    await sleep(200);
  }
}

function spawnNode(args: string[], env: Record<string, string>, logFile?: string): ChildProcess {
  const out = logFile === undefined ? 'ignore' : openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, 'inherit'],
  });
  if (typeof out === 'number') closeSync(out);
  cleanUpStep(args.join(' '), async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
  return child;
}

async function load(options: autocannon.Options, serverPid?: number): Promise<Load> {
  const cpuBefore = cpuSeconds(serverPid);
  const result = await autocannon({ duration: DURATION / 1000, ...options });
  const cpuAfter = cpuSeconds(serverPid);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    ...(cpuBefore !== undefined &&
      cpuAfter !== undefined &&
      result.requests.total > 0 && {
        cpuUs: ((cpuAfter - cpuBefore) * 1e6) / result.requests.total,
      }),
  };
}

async function warm(options: autocannon.Options): Promise<void> {
  await autocannon({ ...options, duration: WARMUP / 1000 });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number): string => (b === 0 ? '-' : `${(a / b).toFixed(2)}×`);
const ms = (n: number): string => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

/** Rounds of the app against its baseline, alternating. */
const ROUNDS = 3;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/**
 * `ROUNDS` rounds of `app` then `base` after a warm-up of each: mean throughput, median p50 and
 * p99 over the rounds, errors summed, each round's ratio, and each round's ratio of the servers'
 * CPU time per request (base / app: what the server itself costs, which the load generator
 * sharing the machine's cores does not blur).
 */
async function alternate(
  app: autocannon.Options & { pid: number | undefined },
  base: autocannon.Options & { pid: number | undefined },
): Promise<{ app: Load; base: Load; ratios: string; cpuRatios: string }> {
  const { pid: appPid, ...appOptions } = app;
  const { pid: basePid, ...baseOptions } = base;
  await warm(appOptions);
  await warm(baseOptions);
  const apps: Load[] = [];
  const bases: Load[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    apps.push(await load(appOptions, appPid));
    bases.push(await load(baseOptions, basePid));
  }
  const combine = (loads: Load[]): Load => ({
    rps: loads.reduce((sum, l) => sum + l.rps, 0) / loads.length,
    p50: median(loads.map((l) => l.p50)),
    p99: median(loads.map((l) => l.p99)),
    non2xx: loads.reduce((sum, l) => sum + l.non2xx, 0),
    errors: loads.reduce((sum, l) => sum + l.errors, 0),
  });
  return {
    app: combine(apps),
    base: combine(bases),
    ratios: apps.map((a, i) => ratio(a.rps, bases[i]?.rps ?? 0)).join(', '),
    cpuRatios: apps
      .map((a, i) => {
        const b = bases[i]?.cpuUs;
        return a.cpuUs === undefined || b === undefined
          ? '-'
          : `${ratio(b, a.cpuUs)} (${Math.round(a.cpuUs)} µs vs ${Math.round(b)} µs)`;
      })
      .join(', '),
  };
}

async function run(): Promise<string> {
  const database = await prepareDatabase();
  cleanUpStep('database', database.drop);
  const work = mkdtempSync(join(tmpdir(), 'sp-bench-http-'));
  cleanUpStep('files', () => Promise.resolve(rmSync(work, { recursive: true, force: true })));
  // The list tenants are seeded before the app starts: its change feed would otherwise be busy
  // with 101,000 notifications while the list is measured.
  process.env.ENCRYPTION_KEYS = ENCRYPTION_KEYS;
  const listTenants = new Map<number, string>();
  for (const size of [1_000, 100_000]) {
    const listTenant = randomUUID();
    await seedPlatforms(database.url, listTenant, size);
    listTenants.set(size, listTenant);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    DATABASE_MIGRATIONS: 'manual',
    ENCRYPTION_KEYS,
    AUTH_JWT_SECRET: JWT_SECRET,
    LOG_LEVEL: 'info',
    PORT: String(port),
    GRPC_PORT: String(await freePort()),
    METRICS_PORT: '0',
    RATE_LIMIT_PER_MINUTE: '1000000',
    CATALOG_ALLOW_UNKNOWN_SERVICES: 'true',
    // The pool the raw baseline gets too.
    DATABASE_POOL_SIZE: '10',
  };
  const app = spawnNode(['dist/main.js'], env, join(work, 'app.log'));
  await waitFor(`${base}/health/ready`, app, 'the app');
  const readyAt = Date.now();
  await sleep(5_000);
  const idleRss = rssOf(app.pid);
  // V8 gives back what start-up left behind only after a while without work: idle a minute too.
  await sleep(Math.max(0, readyAt + SETTLE_MS - Date.now()));
  const settledRss = rssOf(app.pid);

  const jwt = new JwtService({ secret: JWT_SECRET });
  const tokenFor = (tenantId: string | undefined, role: string) =>
    jwt.sign(
      { sub: 'bench', roles: [role], ...(tenantId !== undefined && { tenant_id: tenantId }) },
      { algorithm: 'HS256', expiresIn: '1h' },
    );

  // One platform to read (cached after the first read).
  const tenant = randomUUID();
  const adminToken = tokenFor(tenant, 'tenant-admin');
  const auth = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const created = await fetch(`${base}/api/v1/platforms`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      tenant_id: tenant,
      service_name: 'outlook',
      config: {
        client_id: '6731de76-14a6-49ae-97bc-6eba6914391e',
        client_secret: 'bench-secret',
        tenant_id: 'contoso.onmicrosoft.com',
        additional_data: { scopes: ['Mail.Read'], redirect_uri: 'https://app.example.com/cb' },
      },
    }),
  });
  if (created.status !== 201) throw new Error(`register answered ${created.status}`);
  const platformId = ((await created.json()) as { platform: { id: string } }).platform.id;
  const getUrl = `${base}/api/v1/platforms/${platformId}`;
  const body = await (await fetch(getUrl, { headers: auth })).text();
  writeFileSync(join(work, 'platform.json'), body);

  // The baseline: a minimal Nest + Fastify app with the same JSON.
  const nestPort = await freePort();
  const nest = spawnNode(
    [
      join('scripts', 'run-ts.cjs'),
      'bench/baselines/nest-fastify.ts',
      String(nestPort),
      join(work, 'platform.json'),
    ],
    {},
  );
  const nestBase = `http://127.0.0.1:${nestPort}`;
  await waitFor(`${nestBase}/health/live`, nest, 'the baseline Nest app');

  const rows: string[] = [];
  const notes: string[] = [];

  // 1. Cached GET and the memory under it, then 2. liveness: each in ROUNDS rounds alternating
  // with the baseline (this VM's speed drifts within a run: one round each was not enough).
  const getOptions = {
    url: getUrl,
    connections: 64,
    headers: { authorization: auth.authorization },
  };
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(app.pid))), 200);
  const get = await alternate(
    { ...getOptions, pid: app.pid },
    { url: `${nestBase}/api/v1/platforms/${platformId}`, connections: 64, pid: nest.pid },
  );
  clearInterval(sampler);
  rows.push(
    `| cached \`GET /api/v1/platforms/{id}\`, 64 connections | ${fmt(get.app.rps)} req/s, p50 ${ms(get.app.p50)}, p99 ${ms(get.app.p99)} | ${fmt(get.base.rps)} req/s (minimal Nest + Fastify, same JSON) | ${ratio(get.app.rps, get.base.rps)} | ≥ 0.5×, p99 ≤ 10 ms |`,
  );
  notes.push(`cached GET, ratio per round: ${get.ratios}`);
  notes.push(`cached GET, CPU per request, baseline / app per round: ${get.cpuRatios}`);
  if (get.app.non2xx + get.app.errors > 0)
    notes.push(`GET: ${get.app.non2xx} non-2xx, ${get.app.errors} errors`);

  const live = await alternate(
    { url: `${base}/health/live`, connections: 64, pid: app.pid },
    { url: `${nestBase}/health/live`, connections: 64, pid: nest.pid },
  );
  rows.push(
    `| \`GET /health/live\`, 64 connections | ${fmt(live.app.rps)} req/s, p99 ${ms(live.app.p99)} | ${fmt(live.base.rps)} req/s (minimal Nest) | ${ratio(live.app.rps, live.base.rps)} | ≥ 0.8× |`,
  );
  notes.push(`\`/health/live\`, ratio per round: ${live.ratios}`);
  notes.push(`\`/health/live\`, CPU per request, baseline / app per round: ${live.cpuRatios}`);
  nest.kill('SIGTERM');

  // 3. Register, 32 connections: one tenant, and a tenant per request.
  for (const mode of ['one', 'each'] as const) {
    const oneTenant = randomUUID();
    const oneToken = tokenFor(oneTenant, 'tenant-admin');
    const platformAdmin = tokenFor(undefined, 'platform-admin');
    let n = 0;
    const registerOptions: autocannon.Options = {
      url: `${base}/api/v1/platforms`,
      connections: 32,
      method: 'POST',
      requests: [
        {
          setupRequest: (request) => {
            const tenantId = mode === 'one' ? oneTenant : randomUUID();
            const serviceName = mode === 'one' ? `bench-${mode}-${n++}` : 'hubspot';
            return {
              ...request,
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${mode === 'one' ? oneToken : platformAdmin}`,
              },
              body: JSON.stringify({
                tenant_id: tenantId,
                service_name: serviceName,
                config:
                  mode === 'one'
                    ? { client_id: `c-${n}`, client_secret: 's' }
                    : { client_id: '5d9a0a3e-2f4b-4c6d-8e1f-0a1b2c3d4e5f', client_secret: 's' },
              }),
            };
          },
        },
      ],
    };
    await warm(registerOptions);
    const appRegister = await load(registerOptions);
    const raw = await new Promise<{ ops: number; p50: number; p99: number }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          join('scripts', 'run-ts.cjs'),
          'bench/baselines/raw-pg-writes.ts',
          database.url,
          String(DURATION),
          mode,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('exit', (code) =>
        code === 0
          ? resolve(JSON.parse(out) as { ops: number; p50: number; p99: number })
          : reject(new Error(`raw pg exited ${code}`)),
      );
    });
    rows.push(
      `| \`POST /api/v1/platforms\`, 32 connections, ${mode === 'one' ? 'one tenant' : 'a tenant per request'} | ${fmt(appRegister.rps)} req/s, p99 ${ms(appRegister.p99)} | ${fmt(raw.ops)} /s, p99 ${ms(raw.p99)} (raw \`pg\`, same durable writes) | ${ratio(appRegister.rps, raw.ops)} | ≥ 0.5× |`,
    );
    if (appRegister.non2xx + appRegister.errors > 0) {
      notes.push(`register (${mode}): ${appRegister.non2xx} non-2xx, ${appRegister.errors} errors`);
    }
  }

  // 4. A list page of 50, 1,000 and 100,000 platforms in one tenant, 16 connections.
  // The registrations' events are delivered first, so that the relay does not compete.
  const sql = new PgClient({
    connectionString: database.url,
    options: '-c search_path=service_platform',
  });
  await sql.connect();
  const drainedBy = Date.now() + 120_000;
  let pending = -1;
  while (Date.now() < drainedBy) {
    const { rows } = await sql.query<{ n: string }>(
      'SELECT count(*) AS n FROM outbox_events WHERE processed_at IS NULL',
    );
    pending = Number(rows[0]?.n);
    if (pending === 0) break;
    await sleep(500);
  }
  await sql.end();
  if (pending !== 0) notes.push(`${pending} events were still pending when the list was measured`);
  const lists: Record<number, Load & { cpuMs: number }> = {};
  for (const size of [1_000, 100_000]) {
    const listTenant = listTenants.get(size) as string;
    const listOptions = {
      url: `${base}/api/v1/platforms?tenant_id=${listTenant}&limit=50`,
      connections: 16,
      headers: { authorization: `Bearer ${tokenFor(listTenant, 'tenant-admin')}` },
    };
    await warm(listOptions);
    const cpuBefore = cpuSeconds(app.pid) ?? 0;
    const measured = await load(listOptions);
    const requests = measured.rps * (DURATION / 1000);
    lists[size] = {
      ...measured,
      cpuMs: (((cpuSeconds(app.pid) ?? 0) - cpuBefore) * 1000) / requests,
    };
  }
  const small = lists[1_000] as Load & { cpuMs: number };
  const large = lists[100_000] as Load & { cpuMs: number };
  rows.push(
    `| list page of 50, 16 connections, 1,000 → 100,000 platforms in the tenant | p50 ${ms(small.p50)} → ${ms(large.p50)}, p99 ${ms(small.p99)} → ${ms(large.p99)}; ${fmt(small.rps)} → ${fmt(large.rps)} req/s; ${small.cpuMs.toFixed(1)} → ${large.cpuMs.toFixed(1)} ms of app CPU per page | the 1,000 tenant | p50 ${ratio(large.p50, small.p50)} | p50 within 1.5×, p99 ≤ 20 ms |`,
  );

  // 5. Memory.
  rows.push(
    `| RSS of the app | ${idleRss} MB idle 5 s after start, ${settledRss} MB after ${SETTLE_MS / 1000} s idle; ${peakRss} MB peak under the GET load | — | — | ≤ 150 MB idle, ≤ 250 MB under load |`,
  );

  app.kill('SIGTERM');
  const machine = await machineInfo(
    database.url,
    ['@nestjs/core', 'fastify', 'autocannon', 'pino', 'cache-manager'],
    { Load: 'autocannon, in the bench process' },
  );
  return [
    SECTION.begin,
    ...renderMachine('npm run bench:http', machine),
    '',
    `Each row ran ${DURATION / 1000} s after ${WARMUP / 1000} s of warm-up (the cached GET and \`/health/live\`: ${ROUNDS} rounds of ${DURATION / 1000} s alternating with the baseline, throughput averaged, latencies the median round's; each round also reads both servers' CPU time per request from /proc, a figure the load generator sharing the cores does not blur), autocannon in the bench process, the app (\`node dist/main.js\`, NODE_ENV=production, logging at info to a file) and each baseline in processes of their own, on the same cores.`,
    '',
    '| path | app | baseline in the same run | ratio | goal |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ...(notes.length > 0 ? ['', ...notes.map((note) => `- ${note}`)] : []),
    SECTION.end,
  ].join('\n');
}

runBenchmark({ section: SECTION, deadlineMs: 900_000, run });
