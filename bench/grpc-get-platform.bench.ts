// GetPlatform over gRPC: throughput and latency of the real app against a bare @grpc/grpc-js
// server returning the same message, in the same run, on 127.0.0.1 only, bounded in time.
//
//   npm run bench:grpc                 (builds, then runs this; ~1 minute)
//   BENCH_SCALE=0.5 npm run bench:grpc (shorter phases)
//   BENCH_PROFILE=1 npm run bench:grpc (also a CPU profile of the app: top functions by self time)
//   BENCH_REDIS_URL=redis://127.0.0.1:6379 npm run bench:grpc
//                                      (the app with REDIS_URL: its read cache also has the shared
//                                       Redis tier; results in a section of their own)
//
// Needs PostgreSQL: a throw-away database is created at TEST_DATABASE_ADMIN_URL (as for the
// tests, default postgresql://postgres@127.0.0.1:5432/postgres), migrated, and dropped after.
// The results (with the machine) are written between the markers in BENCHMARKS.md.
// Not a test: `npm test` does not run it.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Metadata } from '@grpc/grpc-js';
import {
  ask,
  bearer,
  clientsOf,
  codeBlock,
  cpuSeconds,
  machineInfo,
  percentiles,
  prepareDatabase,
  PROFILE,
  registerRequest,
  renderMachine,
  ROOT,
  runBenchmark,
  seconds,
  startApp,
  startServer,
  stopServer,
  summarizeProfile,
  unary,
  type Child,
  type Percentiles,
  type PlatformClient,
} from './bench-support';

const PROFILE_DIR = join(ROOT, 'bench', '.profiles');
/** Unset: the app's read cache is in memory only (no REDIS_URL), as in the default set-up. */
const REDIS_URL = process.env.BENCH_REDIS_URL ?? '';
const SECTION = REDIS_URL === '' ? 'grpc-get-platform' : 'grpc-get-platform-redis';
const BEGIN = `<!-- ${SECTION}:begin -->`;
const END = `<!-- ${SECTION}:end -->`;
const APP_LABEL =
  REDIS_URL === ''
    ? 'app (Nest hybrid, PostgreSQL, read cache in memory)'
    : 'app (Nest hybrid, PostgreSQL, read cache in memory + Redis)';

/** Hard bound of the whole run: whatever happens, the children are stopped and we exit. */
const DEADLINE_MS = 240_000;

const PHASES = {
  warmup: seconds(3),
  /** Sequential calls (one in flight): unloaded latency. */
  serial: seconds(4),
  /** Concurrent calls: throughput; run `rounds` times per server, alternating. */
  loaded: seconds(8),
  rounds: 4,
  concurrency: 32,
  channels: 4,
};

interface Phase extends Percentiles {
  calls: number;
  errors: number;
  seconds: number;
  throughput: number;
  cpuPerCallUs: number | undefined;
  /** CPU of this process (the load generator) per call. */
  clientCpuPerCallUs: number;
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
    ...percentiles(sorted),
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

// ---- the run -------------------------------------------------------------------------------

interface Results {
  machine: Record<string, string>;
  app: { serial: Phase; loaded: Phase; rounds: Phase[] };
  bare: { serial: Phase; loaded: Phase; rounds: Phase[] };
  profile: string[];
}

async function run(): Promise<Results> {
  const database = await prepareDatabase();
  let app: Child | undefined;
  let bare: Child | undefined;
  try {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    if (PROFILE) mkdirSync(PROFILE_DIR, { recursive: true });
    app = await startApp(database.url, REDIS_URL === '' ? {} : { REDIS_URL });
    const tenant = randomUUID();
    const appClients = clientsOf(app.port, PHASES.channels);
    const [first] = appClients as [PlatformClient];
    const registered = (await unary(
      first,
      'RegisterPlatform',
      registerRequest(tenant),
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
    const machine = await machineInfo(
      database.url,
      ['@grpc/grpc-js', '@nestjs/microservices', '@prisma/client'],
      {
        Load: `load generator in this process (${PHASES.channels} HTTP/2 connections), each server in a child process; all on the same cores`,
      },
    );
    return {
      machine,
      app: { serial: appSerial, loaded: merge(appRounds), rounds: appRounds },
      bare: { serial: bareSerial, loaded: merge(bareRounds), rounds: bareRounds },
      profile: PROFILE ? summarizeProfile(PROFILE_DIR) : [],
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
    ...renderMachine('npm run bench:grpc', results.machine),
    '',
    `**${PHASES.concurrency} calls in flight** (${PHASES.rounds} alternating rounds of ${PHASES.loaded / 1000} s per server, after a ${PHASES.warmup / 1000} s warm-up):`,
    '',
    header,
    row(APP_LABEL, results.app.loaded),
    row('bare @grpc/grpc-js', results.bare.loaded),
    '',
    `**Throughput ratio app / bare: ${f(ratio)}×** (goal ≥ 0.60×). Rounds: app ${results.app.rounds.map((r) => Math.round(r.throughput)).join(', ')} calls/s; bare ${results.bare.rounds.map((r) => Math.round(r.throughput)).join(', ')} calls/s.`,
    '',
    `**One call in flight** (${PHASES.serial / 1000} s per server: latency without queueing):`,
    '',
    header,
    row('app', results.app.serial),
    row('bare', results.bare.serial),
    ...codeBlock(
      `CPU profile of the app (\`BENCH_PROFILE=1\`: one more loaded phase of ${PHASES.loaded / 1000} s under the profiler, not counted above):`,
      results.profile,
    ),
    END,
  ].join('\n');
}

runBenchmark({
  section: {
    begin: BEGIN,
    end: END,
    heading: REDIS_URL === '' ? 'gRPC GetPlatform' : 'gRPC GetPlatform, app with REDIS_URL',
  },
  deadlineMs: DEADLINE_MS,
  run: () => run().then(render),
});
