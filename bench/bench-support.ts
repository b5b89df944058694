// What the load scripts in bench/ share: the servers in child processes (started, asked over IPC,
// stopped), the gRPC client of the committed .proto, bearer tokens, the throw-away PostgreSQL
// database, /proc CPU readings, percentiles, the machine description, the CPU-profile summary,
// the marked sections of BENCHMARKS.md, and the hard deadline with its clean-up. Not a test.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { COMMITTED_PROTO, freePort } from '../test/support/grpc-client';
import {
  applyMigrations,
  DEFAULT_SCHEMA,
} from '../src/service-platform/infrastructure/persistence/migrations/migration-runner';

export const ROOT = join(__dirname, '..');
export const BENCHMARKS_MD = join(ROOT, 'BENCHMARKS.md');

/** `BENCH_SCALE` scales every phase (0.5 halves them). */
export const SCALE = Number(process.env.BENCH_SCALE ?? '1');
/** `BENCH_PROFILE=1`: one more loaded phase with the app under the CPU profiler. */
export const PROFILE = process.env.BENCH_PROFILE === '1';

/** A phase length in milliseconds: `value` seconds times `BENCH_SCALE`, at least one second. */
export const seconds = (value: number): number => Math.max(1000, Math.round(value * 1000 * SCALE));

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

// ---- clean-up ------------------------------------------------------------------------------

const cleanUpSteps = new Set<() => Promise<void>>();

/**
 * Registers a clean-up step (stop a child, drop a database...) and returns it. The step runs at
 * most once, whether the script calls it or the deadline / a signal / a failure does.
 */
export function cleanUpStep(what: string, task: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const step = (): Promise<void> => {
    cleanUpSteps.delete(step);
    done ??= task().catch((error: unknown) => {
      console.error(`clean-up (${what}) failed:`, error);
    });
    return done;
  };
  cleanUpSteps.add(step);
  return step;
}

/** Runs the clean-up steps not run yet, newest first, for at most `withinMs`. */
async function cleanUpAll(withinMs: number): Promise<void> {
  const all = (async () => {
    for (const step of [...cleanUpSteps].reverse()) await step();
  })();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, withinMs)))]);
  clearTimeout(timer);
}

// ---- the servers (bench/grpc-bench-servers.ts in child processes) ---------------------------

export interface Child {
  process: ChildProcess;
  port: number;
  /** Stops the server (SIGTERM, SIGKILL after 10 s); once only. */
  stop: () => Promise<void>;
}

export async function startServer(
  mode: 'app' | 'bare',
  env: Record<string, string>,
  execArgv: string[] = [],
): Promise<Child> {
  const port = await freePort();
  const child = fork(
    join(ROOT, 'scripts', 'run-ts.cjs'),
    ['bench/grpc-bench-servers.ts', mode, String(port)],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      execArgv,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const stop = cleanUpStep(`${mode} server`, () => terminate(child));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start`)), 60_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { process: child, port, stop };
}

/** The HS256 secret the app started by `startApp` verifies bearer tokens with (one per run). */
export const JWT_SECRET = `bench-${randomUUID()}-${randomUUID()}`;
const ENCRYPTION_KEYS = `bench:${Buffer.alloc(32, 7).toString('base64')}`;

/**
 * The built app (`dist/`), as `main.ts` starts it but on 127.0.0.1, on `databaseUrl`:
 * `NODE_ENV=production`, `LOG_LEVEL=warn`, no rate limit to speak of; `env` adds to that.
 */
export function startApp(databaseUrl: string, env: Record<string, string> = {}): Promise<Child> {
  return startServer('app', {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEYS,
    AUTH_JWT_SECRET: JWT_SECRET,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...env,
  });
}

/** Sends a message to a server and waits for its answer. */
export function ask(child: Child, message: object): Promise<unknown> {
  return new Promise((resolve) => {
    child.process.once('message', resolve);
    child.process.send(message);
  });
}

export async function stopServer(child: Child | undefined): Promise<void> {
  await child?.stop();
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat (Linux); undefined elsewhere. */
export function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const [, ...values] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/);
    const numbers = values.filter((value) => value !== '').map(Number);
    const total = numbers.reduce((sum, value) => sum + value, 0);
    const idle = (numbers[3] ?? 0) + (numbers[4] ?? 0); // idle, iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** p50, p90, p99 and max of values sorted in ascending order (NaN when there are none). */
export function percentiles(sorted: number[]): Percentiles {
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

// ---- the gRPC client -----------------------------------------------------------------------

export type PlatformClient = Client & {
  GetPlatform: (
    request: object,
    metadata: Metadata,
    callback: (error: ServiceError | null, value?: object) => void,
  ) => void;
  RegisterPlatform: PlatformClient['GetPlatform'];
};

const Service = (() => {
  const definition = loadPackageDefinition(
    // The committed .proto, as users of the API load it.
    loadSync(COMMITTED_PROTO, {
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

export function clientsOf(port: number, count: number): PlatformClient[] {
  // A local subchannel pool per client: one HTTP/2 connection each.
  return Array.from(
    { length: count },
    () =>
      new Service(`127.0.0.1:${port}`, credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
      }) as unknown as PlatformClient,
  );
}

export function unary(
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

/** gRPC metadata with a bearer token of `claims` for the app of `startApp`, valid for an hour. */
export function bearer(claims: object): Metadata {
  const metadata = new Metadata();
  const token = new JwtService({ secret: JWT_SECRET }).sign(claims, {
    algorithm: 'HS256',
    expiresIn: '1h',
  });
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** The `RegisterPlatform` request the benchmarks send: an Outlook platform of `tenantId`. */
export function registerRequest(tenantId: string): object {
  return {
    tenant_id: tenantId,
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
  };
}

// ---- the database --------------------------------------------------------------------------

/**
 * A throw-away database (at TEST_DATABASE_ADMIN_URL, as for the tests), migrated; `drop` (also
 * run by the deadline or a failure) drops it. `BENCH_DATABASE_URL` uses a given one instead.
 */
export async function prepareDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const explicit = process.env.BENCH_DATABASE_URL;
  if (explicit !== undefined) return { url: explicit, drop: () => Promise.resolve() };
  const requireScript = createRequire(__filename);
  const load = (name: string): unknown => requireScript(join(ROOT, 'scripts', 'lib', name));
  const { createTestDatabase, dropDatabase } = load('test-database.cjs') as {
    createTestDatabase: (o: { prefix: string }) => Promise<{ name: string; url: string }>;
    dropDatabase: (o: { name: string }) => Promise<void>;
  };
  const { name, url } = await createTestDatabase({ prefix: 'sp_bench' });
  const drop = cleanUpStep('database', () => dropDatabase({ name }));
  try {
    await migrate(url);
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, drop };
}

/** The module's migrations, into its schema, as `npx service-platform migrate` applies them. */
export async function migrate(url: string): Promise<void> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    await applyMigrations(client, { schema: DEFAULT_SCHEMA });
  } finally {
    await client.end();
  }
}

// ---- the machine ---------------------------------------------------------------------------

/** Version of an installed package. */
export function packageVersion(name: string): string {
  return (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

/**
 * The machine, PostgreSQL, the given packages' versions, then `more` (e.g. `Load`), and the date.
 */
export async function machineInfo(
  databaseUrl: string,
  packages: string[],
  more: Record<string, string>,
): Promise<Record<string, string>> {
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  const version =
    (await pg.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ??
    '?';
  await pg.end();
  const cpu = cpus();
  return {
    CPU: `${cpu[0]?.model.trim() ?? '?'} × ${cpu.length} logical cores`,
    Memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start)`,
    OS: `${osType()} ${release()}`,
    Node: process.version,
    PostgreSQL: `${version} (local, same machine)`,
    Packages: packages.map((name) => `${name} ${packageVersion(name)}`).join(', '),
    ...more,
    Date: new Date().toISOString(),
  };
}

/** The head of a results section: who wrote it when, and the machine as a list. */
export function renderMachine(command: string, machine: Record<string, string>): string[] {
  return [
    `_Written by \`${command}\` on ${machine.Date}._`,
    '',
    ...Object.entries(machine)
      .filter(([key]) => key !== 'Date')
      .map(([key, value]) => `- **${key}:** ${value}`),
  ];
}

// ---- profile summary -----------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * The CPU profiles (`*.cpuprofile`) in `directory`, as shares of the process's BUSY time (idle
 * samples left out):
 * - by area: each sample goes to the nearest frame of a package or of the app (so time in
 *   native code such as socket writes counts for whoever called it);
 * - app functions by inclusive time (the sample's stack contains them).
 */
export function summarizeProfile(directory: string, appFunctions = 24): string[] {
  const files = readdirSync(directory).filter((file) => file.endsWith('.cpuprofile'));
  const lines: string[] = [];
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as {
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
    lines.push(
      '',
      'App functions by inclusive share of busy time:',
      ...top(inclusive, appFunctions),
    );
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

// ---- BENCHMARKS.md and the run -------------------------------------------------------------

/** A fenced block (a profile...) after an introduction line, or nothing if `lines` is empty. */
export function codeBlock(introduction: string, lines: string[]): string[] {
  return lines.length === 0 ? [] : ['', introduction, '', '```', ...lines, '```'];
}

/** A results section of BENCHMARKS.md: between two markers, under `heading` if new. */
export interface Section {
  begin: string;
  end: string;
  heading: string;
}

/** Replaces the text between the section's markers (`markdown` includes them). */
export function writeSection(section: Section, markdown: string): void {
  const { begin, end, heading } = section;
  let document: string;
  try {
    document = readFileSync(BENCHMARKS_MD, 'utf8');
  } catch {
    document = `# Benchmarks\n\n## ${heading}\n\n${begin}\n${end}\n`;
  }
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? `${document.slice(0, start)}${markdown}${document.slice(stop + end.length)}`
      : `${document.trimEnd()}\n\n${markdown}\n`;
  writeFileSync(BENCHMARKS_MD, next);
  // The repository's format check covers Markdown: leave the file as Prettier writes it.
  const prettier = createRequire(__filename).resolve('prettier/bin/prettier.cjs');
  spawnSync(process.execPath, [prettier, '--write', BENCHMARKS_MD], { cwd: ROOT, stdio: 'ignore' });
}

/**
 * Runs a benchmark under a hard deadline: `run` returns its results as Markdown (markers
 * included), which is printed and written into BENCHMARKS.md. Past the deadline, on SIGINT /
 * SIGTERM or on a failure, the registered clean-up steps run (children, brokers, databases)
 * before the process exits.
 */
export function runBenchmark(options: {
  section: Section;
  deadlineMs: number;
  run: () => Promise<string>;
}): void {
  const { section, deadlineMs, run } = options;
  const giveUp = (why: string, code: number): void => {
    console.error(why);
    void cleanUpAll(20_000).finally(() => process.exit(code));
  };
  const guard = setTimeout(
    () => giveUp(`benchmark exceeded ${deadlineMs / 1000} s: giving up`, 1),
    deadlineMs,
  );
  guard.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => giveUp(`${signal}: stopping`, 130));
  }
  run()
    .then((markdown) => {
      console.log(markdown);
      writeSection(section, markdown);
      console.error(`results written to ${BENCHMARKS_MD}`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      giveUp('benchmark failed: cleaning up', 1);
    });
}
