// GetPlatform over gRPC: throughput and latency of the real app against a bare @grpc/grpc-js
// server returning the same message, in the same run, on 127.0.0.1 only, bounded in time.
//
//   npm run bench:grpc                 (builds, then runs this; ~1 minute)
//   BENCH_SCALE=0.5 npm run bench:grpc (shorter phases)
//   BENCH_PROFILE=1 npm run bench:grpc (also a CPU profile of the app: top functions by self time)
//
// Needs PostgreSQL: a throw-away database is created at TEST_DATABASE_ADMIN_URL (as for the
// tests, default postgresql://postgres@127.0.0.1:5432/postgres), migrated, and dropped after.
// The results (with the machine) are written between the markers in BENCHMARKS.md.
// Not a test: `npm test` does not run it.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, release, totalmem, type as osType } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type Client,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { JwtService } from '@nestjs/jwt';
import { Client as PgClient } from 'pg';
import { freePort } from '../test/support/grpc-client';

const ROOT = join(__dirname, '..');
const PROTO = join(ROOT, 'src', 'service-platform', 'interface', 'grpc', 'service_platform.proto');
const BENCHMARKS_MD = join(ROOT, 'BENCHMARKS.md');
const PROFILE_DIR = join(ROOT, 'bench', '.profiles');
const BEGIN = '<!-- grpc-get-platform:begin -->';
const END = '<!-- grpc-get-platform:end -->';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const PROFILE = process.env.BENCH_PROFILE === '1';
/** Hard bound of the whole run: whatever happens, the children are stopped and we exit. */
const DEADLINE_MS = 240_000;
const JWT_SECRET = `bench-${randomUUID()}-${randomUUID()}`;
const ENCRYPTION_KEYS = `bench:${Buffer.alloc(32, 7).toString('base64')}`;

const seconds = (value: number): number => Math.max(1000, Math.round(value * 1000 * SCALE));
const PHASES = {
  warmup: seconds(3),
  /** Sequential calls (one in flight): unloaded latency. */
  serial: seconds(4),
  /** Concurrent calls: throughput; run `rounds` times per server, alternating. */
  loaded: seconds(8),
  rounds: 2,
  concurrency: 32,
  channels: 4,
};

// ---- the servers ---------------------------------------------------------------------------

interface Child {
  process: ChildProcess;
  port: number;
}

async function startServer(
  mode: 'app' | 'bare',
  env: Record<string, string>,
  execArgv: string[] = [],
): Promise<Child> {
  const port = await freePort();
  const child = fork(
    join(ROOT, 'bench', 'run-ts.cjs'),
    ['bench/grpc-bench-servers.ts', mode, String(port)],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      execArgv,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start`)), 60_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { process: child, port };
}

/** Sends a message to a server and waits for its answer. */
function ask(child: Child, message: object): Promise<unknown> {
  return new Promise((resolve) => {
    child.process.once('message', resolve);
    child.process.send(message);
  });
}

async function stopServer(child: Child | undefined): Promise<void> {
  if (child === undefined || child.process.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.process.kill('SIGKILL');
      resolve();
    }, 10_000);
    child.process.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.process.kill('SIGTERM');
  });
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
  } catch {
    return undefined;
  }
}

// ---- the client ----------------------------------------------------------------------------

type PlatformClient = Client & {
  GetPlatform: (
    request: object,
    metadata: Metadata,
    callback: (error: ServiceError | null, value?: object) => void,
  ) => void;
  RegisterPlatform: PlatformClient['GetPlatform'];
};

const Service = (() => {
  const definition = loadPackageDefinition(
    loadSync(PROTO, {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: false,
      oneofs: true,
    }),
  );
  return ((definition.serviceplatform as Record<string, unknown>).v1 as Record<string, unknown>)
    .PlatformService as ServiceClientConstructor;
})();

function clientsOf(port: number, count: number): PlatformClient[] {
  // A local subchannel pool per client: one HTTP/2 connection each.
  return Array.from(
    { length: count },
    () =>
      new Service(`127.0.0.1:${port}`, credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
      }) as unknown as PlatformClient,
  );
}

function unary(
  client: PlatformClient,
  method: 'GetPlatform' | 'RegisterPlatform',
  request: object,
  metadata: Metadata,
): Promise<object> {
  return new Promise((resolve, reject) => {
    client[method](request, metadata, (error, value) =>
      error === null ? resolve(value ?? {}) : reject(error),
    );
  });
}

interface Phase {
  calls: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  cpuPerCallUs: number | undefined;
  /** CPU of this process (the load generator) per call. */
  clientCpuPerCallUs: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Keeps `concurrency` calls in flight for `durationMs`; latencies in milliseconds. */
async function load(
  clients: PlatformClient[],
  request: object,
  metadata: Metadata,
  concurrency: number,
  durationMs: number,
  serverPid?: number,
): Promise<Phase> {
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = cpuSeconds(serverPid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, index) => {
      const client = clients[index % clients.length] as PlatformClient;
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await unary(client, 'GetPlatform', request, metadata);
          const t1 = performance.now();
          if (t1 <= deadline) latencies.push(t1 - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const cpuAfter = cpuSeconds(serverPid);
  const client = process.cpuUsage(clientBefore);
  const sorted = latencies.sort((a, b) => a - b);
  const secondsElapsed = durationMs / 1000;
  return {
    calls: sorted.length,
    errors,
    seconds: secondsElapsed,
    throughput: sorted.length / secondsElapsed,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    cpuPerCallUs:
      cpuBefore === undefined || cpuAfter === undefined || sorted.length === 0
        ? undefined
        : ((cpuAfter - cpuBefore) / sorted.length) * 1e6,
    clientCpuPerCallUs: (client.user + client.system) / Math.max(1, sorted.length),
  };
}

function merge(phases: Phase[]): Phase {
  const calls = phases.reduce((sum, phase) => sum + phase.calls, 0);
  const secondsTotal = phases.reduce((sum, phase) => sum + phase.seconds, 0);
  const weighted = (key: 'p50' | 'p90' | 'p99' | 'cpuPerCallUs' | 'clientCpuPerCallUs'): number =>
    phases.reduce((sum, phase) => sum + (phase[key] ?? 0) * phase.calls, 0) / calls;
  return {
    calls,
    errors: phases.reduce((sum, phase) => sum + phase.errors, 0),
    seconds: secondsTotal,
    throughput: calls / secondsTotal,
    // Call-weighted mean of each round's percentile (rounds are of equal length).
    p50: weighted('p50'),
    p90: weighted('p90'),
    p99: weighted('p99'),
    max: Math.max(...phases.map((phase) => phase.max)),
    cpuPerCallUs: phases.every((phase) => phase.cpuPerCallUs !== undefined)
      ? weighted('cpuPerCallUs')
      : undefined,
    clientCpuPerCallUs: weighted('clientCpuPerCallUs'),
  };
}

// ---- profile summary -----------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * The app's CPU profile, as shares of its BUSY time (idle samples left out):
 * - by area: each sample goes to the nearest frame of a package or of the app (so time in
 *   native code such as socket writes counts for whoever called it);
 * - app functions by inclusive time (the sample's stack contains them).
 */
function summarizeProfile(): string[] {
  const files = readdirSync(PROFILE_DIR).filter((file) => file.endsWith('.cpuprofile'));
  const lines: string[] = [];
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(PROFILE_DIR, file), 'utf8')) as {
      nodes: ProfileNode[];
    };
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) {
      for (const child of node.children ?? []) parent.set(child, node.id);
    }
    let busy = 0;
    const byArea = new Map<string, number>();
    const inclusive = new Map<string, number>();
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
      busy += hits;
      let area: string | undefined;
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
        const frame = (byId.get(id) as ProfileNode).callFrame;
        const frameArea = areaOf(frame.url);
        area ??= frameArea;
        if (frame.url.includes(`${ROOT}/dist/`)) {
          seen.add(`${frame.functionName || '(anonymous)'} (${shortUrl(frame.url)})`);
        }
      }
      const key = area ?? `(${node.callFrame.functionName || 'native'})`;
      byArea.set(key, (byArea.get(key) ?? 0) + hits);
      for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + hits);
    }
    const top = (map: Map<string, number>, count: number): string[] =>
      [...map.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, count)
        .map(([name, hits]) => `${((hits / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
    lines.push('Busy time by area (native time counted for its caller):', ...top(byArea, 16));
    lines.push('', 'App functions by inclusive share of busy time:', ...top(inclusive, 24));
  }
  return lines;
}

function areaOf(url: string): string | undefined {
  if (url === '') return undefined;
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch !== null) return packageMatch[1];
  if (url.includes(`${ROOT}/dist/`)) {
    return `app: ${url.split(`${ROOT}/dist/`)[1]?.split('/').slice(0, 3).join('/')}`;
  }
  return undefined; // node internals: attributed to the caller
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(`${ROOT}/`, '')
    .replace(/^.*node_modules\//, '');
}

// ---- the run -------------------------------------------------------------------------------

interface Results {
  machine: Record<string, string>;
  app: { serial: Phase; loaded: Phase; rounds: Phase[] };
  bare: { serial: Phase; loaded: Phase; rounds: Phase[] };
  profile: string[];
}

async function prepareDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const explicit = process.env.BENCH_DATABASE_URL;
  if (explicit !== undefined) return { url: explicit, drop: () => Promise.resolve() };
  const requireScript = createRequire(__filename);
  const load = (name: string): unknown => requireScript(join(ROOT, 'scripts', 'lib', name));
  const { createTestDatabase, dropDatabase } = load('test-database.cjs') as {
    createTestDatabase: (o: { prefix: string }) => Promise<{ name: string; url: string }>;
    dropDatabase: (o: { name: string }) => Promise<void>;
  };
  const { applyMigrations } = load('schema-engine.cjs') as {
    applyMigrations: (o: { url: string; migrationsDir: string }) => Promise<void>;
  };
  const { name, url } = await createTestDatabase({ prefix: 'sp_bench' });
  await applyMigrations({ url, migrationsDir: join(ROOT, 'prisma', 'migrations') });
  return { url, drop: () => dropDatabase({ name }) };
}

async function machineInfo(databaseUrl: string): Promise<Record<string, string>> {
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  const version =
    (await pg.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ??
    '?';
  await pg.end();
  const cpu = cpus();
  const pkg = (name: string): string =>
    (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  return {
    CPU: `${cpu[0]?.model.trim() ?? '?'} × ${cpu.length} logical cores`,
    Memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start)`,
    OS: `${osType()} ${release()}`,
    Node: process.version,
    PostgreSQL: `${version} (local, same machine)`,
    Packages: `@grpc/grpc-js ${pkg('@grpc/grpc-js')}, @nestjs/microservices ${pkg('@nestjs/microservices')}, @prisma/client ${pkg('@prisma/client')}`,
    Load: `load generator in this process (${PHASES.channels} HTTP/2 connections), each server in a child process; all on the same cores`,
    Date: new Date().toISOString(),
  };
}

async function run(): Promise<Results> {
  const database = await prepareDatabase();
  let app: Child | undefined;
  let bare: Child | undefined;
  try {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    if (PROFILE) mkdirSync(PROFILE_DIR, { recursive: true });
    app = await startServer('app', {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      ENCRYPTION_KEYS,
      AUTH_JWT_SECRET: JWT_SECRET,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
    const jwt = new JwtService({ secret: JWT_SECRET });
    const tenant = randomUUID();
    const bearer = (claims: object): Metadata => {
      const metadata = new Metadata();
      metadata.set(
        'authorization',
        `Bearer ${jwt.sign(claims, { algorithm: 'HS256', expiresIn: '1h' })}`,
      );
      return metadata;
    };
    const appClients = clientsOf(app.port, PHASES.channels);
    const [first] = appClients as [PlatformClient];
    const registered = (await unary(
      first,
      'RegisterPlatform',
      {
        tenant_id: tenant,
        service_name: 'outlook',
        config: {
          client_id: '6731de76-14a6-49ae-97bc-6eba6914391e',
          client_secret: 'bench-secret',
          tenant_id: 'contoso.onmicrosoft.com',
          additional_data: {
            fields: {
              redirect_uri: { stringValue: 'https://app.example.com/oauth/callback' },
              refresh_token: { stringValue: 'rt-1' },
              scopes: { listValue: { values: [{ stringValue: 'Mail.Read' }] } },
            },
          },
        },
      },
      bearer({ sub: 'bench-admin', roles: ['platform-admin'] }),
    )) as { platform: { id: string } };
    const request = { platform_id: registered.platform.id };
    // A tenant viewer reads its own platform: the usual consumer of GetPlatform.
    const metadata = bearer({ sub: 'bench-viewer', tenant_id: tenant, roles: ['tenant-viewer'] });
    const answer = await unary(first, 'GetPlatform', request, metadata);

    bare = await startServer('bare', { BENCH_ANSWER: JSON.stringify(answer) });
    const bareClients = clientsOf(bare.port, PHASES.channels);
    const bareAnswer = await unary(
      bareClients[0] as PlatformClient,
      'GetPlatform',
      request,
      metadata,
    );
    if (JSON.stringify(bareAnswer) !== JSON.stringify(answer)) {
      throw new Error('the bare server does not answer the same message');
    }

    const { concurrency, warmup, serial, loaded, rounds } = PHASES;
    console.error(`warm-up (${warmup} ms each)...`);
    await load(appClients, request, metadata, concurrency, warmup);
    await load(bareClients, request, metadata, concurrency, warmup);

    console.error(`one call in flight (${serial} ms each)...`);
    const appSerial = await load(appClients, request, metadata, 1, serial, app.process.pid);
    const bareSerial = await load(bareClients, request, metadata, 1, serial, bare.process.pid);

    const appRounds: Phase[] = [];
    const bareRounds: Phase[] = [];
    for (let round = 1; round <= rounds; round++) {
      console.error(`round ${round}/${rounds}: ${concurrency} in flight (${loaded} ms each)...`);
      appRounds.push(
        await load(appClients, request, metadata, concurrency, loaded, app.process.pid),
      );
      bareRounds.push(
        await load(bareClients, request, metadata, concurrency, loaded, bare.process.pid),
      );
    }
    if (PROFILE) {
      // One more loaded phase under the profiler (which slows the app): not in the figures.
      console.error(`profiling the app: ${concurrency} in flight (${loaded} ms)...`);
      await ask(app, { profile: 'start' });
      await load(appClients, request, metadata, concurrency, loaded);
      await ask(app, { profile: 'stop', file: join(PROFILE_DIR, 'app.cpuprofile') });
    }
    for (const client of [...appClients, ...bareClients]) client.close();
    const machine = await machineInfo(database.url);
    return {
      machine,
      app: { serial: appSerial, loaded: merge(appRounds), rounds: appRounds },
      bare: { serial: bareSerial, loaded: merge(bareRounds), rounds: bareRounds },
      profile: PROFILE ? summarizeProfile() : [],
    };
  } finally {
    await stopServer(app);
    await stopServer(bare);
    await database.drop();
  }
}

function render(results: Results): string {
  const f = (value: number, digits = 2): string =>
    Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
  const row = (name: string, phase: Phase): string =>
    `| ${name} | ${Math.round(phase.throughput)} | ${f(phase.p50)} | ${f(phase.p90)} | ${f(phase.p99)} | ${f(phase.max, 1)} | ${phase.cpuPerCallUs === undefined ? 'n/a' : Math.round(phase.cpuPerCallUs)} | ${Math.round(phase.clientCpuPerCallUs)} | ${phase.calls} | ${phase.errors} |`;
  const ratio = results.app.loaded.throughput / results.bare.loaded.throughput;
  const header =
    '| server | calls/s | p50 ms | p90 ms | p99 ms | max ms | server CPU µs/call | client CPU µs/call | calls | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  return [
    BEGIN,
    `_Written by \`npm run bench:grpc\` on ${results.machine.Date}._`,
    '',
    ...Object.entries(results.machine)
      .filter(([key]) => key !== 'Date')
      .map(([key, value]) => `- **${key}:** ${value}`),
    '',
    `**${PHASES.concurrency} calls in flight** (${PHASES.rounds} alternating rounds of ${PHASES.loaded / 1000} s per server, after a ${PHASES.warmup / 1000} s warm-up):`,
    '',
    header,
    row('app (Nest hybrid, real PostgreSQL)', results.app.loaded),
    row('bare @grpc/grpc-js', results.bare.loaded),
    '',
    `**Throughput ratio app / bare: ${f(ratio)}×** (goal ≥ 0.60×). Rounds: app ${results.app.rounds.map((r) => Math.round(r.throughput)).join(', ')} calls/s; bare ${results.bare.rounds.map((r) => Math.round(r.throughput)).join(', ')} calls/s.`,
    '',
    `**One call in flight** (${PHASES.serial / 1000} s per server: latency without queueing):`,
    '',
    header,
    row('app', results.app.serial),
    row('bare', results.bare.serial),
    ...(results.profile.length > 0
      ? [
          '',
          `CPU profile of the app (\`BENCH_PROFILE=1\`: one more loaded phase of ${PHASES.loaded / 1000} s under the profiler, not counted above):`,
          '',
          '```',
          ...results.profile,
          '```',
        ]
      : []),
    END,
  ].join('\n');
}

function writeResults(markdown: string): void {
  let document: string;
  try {
    document = readFileSync(BENCHMARKS_MD, 'utf8');
  } catch {
    document = `# Benchmarks\n\n## gRPC GetPlatform\n\n${BEGIN}\n${END}\n`;
  }
  const start = document.indexOf(BEGIN);
  const end = document.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${document.slice(0, start)}${markdown}${document.slice(end + END.length)}`
      : `${document.trimEnd()}\n\n${markdown}\n`;
  writeFileSync(BENCHMARKS_MD, next);
  // The repository's format check covers Markdown: leave the file as Prettier writes it.
  const prettier = createRequire(__filename).resolve('prettier/bin/prettier.cjs');
  spawnSync(process.execPath, [prettier, '--write', BENCHMARKS_MD], { cwd: ROOT, stdio: 'ignore' });
}

const guard = setTimeout(() => {
  console.error(`benchmark exceeded ${DEADLINE_MS / 1000} s: giving up`);
  process.exit(1);
}, DEADLINE_MS);
guard.unref();

run()
  .then((results) => {
    const markdown = render(results);
    console.log(markdown);
    writeResults(markdown);
    console.error(`results written to ${BENCHMARKS_MD}`);
    process.exit(0);
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
