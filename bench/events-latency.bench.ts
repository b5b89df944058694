// Change events: how long after a change commits its event reaches a Redis subscriber (through
// the outbox, the relay and Nest's Redis transport), and how many events per second the relay
// sustains, at the register rate the service itself sustains; on 127.0.0.1 only, bounded in time.
//
//   npm run bench:events                 (builds, then runs this; about 1 minute, at most 3)
//   BENCH_SCALE=0.5 npm run bench:events (shorter phases)
//   BENCH_RATE=150 npm run bench:events  (paced phase at 150 registers/s instead of 80% of R)
//   BENCH_PROFILE=1 npm run bench:events (also CPU profiles of the app: paced load, relay alone)
//   BENCH_PG_WAITS=1 npm run bench:events (also what the app's PostgreSQL sessions wait for)
//
// Needs PostgreSQL (a throw-away database, as for bench:grpc) and the `redis-server` binary (a
// throw-away server on a free port). The results (with the machine) are written between the
// markers in BENCHMARKS.md. Not a test: `npm test` does not run it.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpus } from 'node:os';
import type { Metadata } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { Client as PgClient } from 'pg';
import type { PlatformEventPayload } from '../src/service-platform/domain/events/platform-change.events';
import { PLATFORM_EVENT_TYPES } from '../src/service-platform/domain/events/platform-event-type';
import { DEFAULT_OUTBOX_RELAY_SETTINGS } from '../src/service-platform/application/events/outbox-relay.settings';
import { ThrowAwayRedis } from '../test/support/redis-server';
import {
  ask,
  bearer,
  cleanUpStep,
  clientsOf,
  codeBlock,
  cpuSeconds,
  machineInfo,
  machineJiffies,
  percentiles,
  prepareDatabase,
  PROFILE,
  registerRequest,
  renderMachine,
  ROOT,
  runBenchmark,
  SCALE,
  seconds,
  sleep,
  startApp,
  stopServer,
  summarizeProfile,
  unary,
  type Child,
  type Percentiles,
  type PlatformClient,
} from './bench-support';

const PROFILE_DIR = join(ROOT, 'bench', '.profiles', 'events');
const PROFILE_DIRS = { paced: join(PROFILE_DIR, 'paced'), backlog: join(PROFILE_DIR, 'backlog') };
/**
 * `BENCH_RELAY=separate`: the app serves requests with its relay off (`OUTBOX_RELAY_ENABLED=false`)
 * and a second instance of the app, taking no requests, relays; results in their own section.
 */
const SEPARATE_RELAY = process.env.BENCH_RELAY === 'separate';
const SECTION = SEPARATE_RELAY ? 'events-latency-separate-relay' : 'events-latency';
const BEGIN = `<!-- ${SECTION}:begin -->`;
const END = `<!-- ${SECTION}:end -->`;

/** Hard bound of the whole run (the build is not in it). */
const DEADLINE_MS = 180_000;
const GOAL_P99_MS = 100;
/** `BENCH_PG_WAITS=1`: one more paced phase, sampling the app's sessions in pg_stat_activity. */
const PG_WAITS = process.env.BENCH_PG_WAITS === '1';
const FIXED_RATE =
  process.env.BENCH_RATE === undefined ? undefined : Number(process.env.BENCH_RATE);

const PHASES = {
  /** Closed loop, as the saturated phase: JIT, connection pools, the Redis connection. */
  warmup: seconds(4),
  /** Closed loop: `concurrency` registers in flight, to find the sustained register rate R. */
  saturated: seconds(12),
  concurrency: 16,
  /**
   * Open loop: registers sent on a fixed schedule at `pacedShare` of R. A paced rate the app does
   * not sustain (sends skipped, events falling behind) is tried again at `pacedShare` of itself,
   * up to `pacedAttempts` times: the goal is about a rate the service sustains.
   */
  paced: seconds(15),
  pacedShare: 0.8,
  pacedAttempts: 3,
  /** Paced sends are skipped (and counted) while this many are unanswered. */
  pacedMaxInFlight: 64,
  /** After the load, wait for the missing events until none has arrived for this long. */
  drainStallMs: 5_000,
  drainMaxMs: 45_000,
  /** Events of the relay-alone phase (a backlog inserted straight into the outbox). */
  backlog: Math.max(200, Math.round(3000 * SCALE)),
  channels: 4,
};

/** Wall-clock time in ms since the epoch with sub-millisecond precision (monotonic in a run). */
const now = (): number => performance.timeOrigin + performance.now();

// ---- the subscriber ------------------------------------------------------------------------

interface Receipt {
  /** When the first copy arrived (`now()`). */
  at: number;
  eventId: string;
  /** `data.timestamp`: the change's time, in ms since the epoch. */
  changedAt: number;
  copies: number;
}

/**
 * The Redis subscriber on the four event channels. The arrival time is read first thing in the
 * message handler. Every platform of this benchmark has exactly one event (its registration).
 */
class Witness {
  private readonly byPlatform = new Map<string, Receipt>();
  /** Messages of a platform with another event id than its first (none expected). */
  unexpected = 0;
  lastArrival = 0;

  private constructor(
    private readonly redis: Redis,
    readonly redisVersion: string,
  ) {}

  static async start(url: string): Promise<Witness> {
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    redis.on('error', (error: Error) => console.error(`subscriber: ${error.message}`));
    const info = await redis.info('server');
    const witness = new Witness(redis, /redis_version:(\S+)/.exec(info)?.[1] ?? '?');
    redis.on('message', (_channel: string, message: string) => {
      witness.arrived(now(), message);
    });
    await redis.subscribe(...PLATFORM_EVENT_TYPES);
    return witness;
  }

  private arrived(at: number, message: string): void {
    this.lastArrival = at;
    const { data } = JSON.parse(message) as { data: PlatformEventPayload };
    const seen = this.byPlatform.get(data.platform_id);
    if (seen === undefined) {
      this.byPlatform.set(data.platform_id, {
        at,
        eventId: data.event_id,
        changedAt: Date.parse(data.timestamp),
        copies: 1,
      });
    } else if (seen.eventId === data.event_id) {
      seen.copies++;
    } else {
      this.unexpected++;
    }
  }

  receiptOf(platformId: string): Receipt | undefined {
    return this.byPlatform.get(platformId);
  }

  /** Waits until every platform's event arrived, or none arrived for `stallMs`, or `maxMs`. */
  async drain(platformIds: readonly string[], stallMs: number, maxMs: number): Promise<void> {
    const started = now();
    let missing = platformIds.filter((id) => !this.byPlatform.has(id));
    while (missing.length > 0) {
      const t = now();
      if (t - Math.max(this.lastArrival, started) > stallMs || t - started > maxMs) return;
      await sleep(5);
      missing = missing.filter((id) => !this.byPlatform.has(id));
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}

// ---- the load ------------------------------------------------------------------------------

interface Call {
  sentAt: number;
  answeredAt: number;
  platformId: string;
}

/** Sends `RegisterPlatform` calls, each for a new tenant, round robin over the connections. */
class Registrations {
  readonly calls: Call[] = [];
  errors = 0;
  firstError: string | undefined;
  private next = 0;

  constructor(
    private readonly clients: PlatformClient[],
    private readonly metadata: Metadata,
  ) {}

  async register(): Promise<void> {
    const client = this.clients[this.next++ % this.clients.length] as PlatformClient;
    const sentAt = now();
    try {
      const reply = (await unary(
        client,
        'RegisterPlatform',
        registerRequest(randomUUID()),
        this.metadata,
      )) as { platform?: { id?: string } };
      const answeredAt = now();
      const platformId = reply.platform?.id;
      if (platformId === undefined) throw new Error('no platform id in the answer');
      this.calls.push({ sentAt, answeredAt, platformId });
    } catch (error) {
      this.errors++;
      this.firstError ??= error instanceof Error ? error.message : String(error);
    }
  }
}

/** Closed loop: keeps `concurrency` calls in flight until `durationMs` has passed. */
async function saturate(
  load: Registrations,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  const deadline = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await load.register();
    }),
  );
  return 0;
}

/**
 * Open loop: sends at `rate` per second on a fixed schedule for `durationMs`, whatever the
 * answers; a send due while `maxInFlight` calls are unanswered is skipped. Returns the skips.
 */
async function pace(
  load: Registrations,
  rate: number,
  durationMs: number,
  maxInFlight: number,
): Promise<number> {
  const interval = 1000 / rate;
  const total = Math.floor(durationMs / interval);
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let sent = 0;
  let skipped = 0;
  while (sent + skipped < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    while (sent + skipped < due) {
      if (inFlight.size >= maxInFlight) {
        skipped++;
        continue;
      }
      sent++;
      const call: Promise<void> = load.register().finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
    await sleep(Math.max(0, (sent + skipped) * interval - (performance.now() - start)));
  }
  await Promise.all(inFlight);
  return skipped;
}

// ---- one phase -----------------------------------------------------------------------------

interface Stats extends Percentiles {
  /** Share of values above the goal. */
  overGoal: number;
}

/** One load phase; its CPU figures are for the time the load was on. */
/**
 * When each event committed, as seen from this process: the outbox insert trigger NOTIFYs
 * `<schema> <event id>`, and PostgreSQL delivers notifications to listeners at commit. The arrival
 * is read on this process's event loop, like the Redis arrivals, so both carry the same delay.
 */
class CommitClock {
  private readonly committedAt = new Map<string, number>();

  private constructor(private readonly client: PgClient) {}

  static async start(databaseUrl: string): Promise<CommitClock> {
    const client = new PgClient({ connectionString: databaseUrl });
    await client.connect();
    const clock = new CommitClock(client);
    client.on('notification', (message) => {
      const at = now();
      const eventId = message.payload?.slice(message.payload.lastIndexOf(' ') + 1);
      if (eventId !== undefined && !clock.committedAt.has(eventId)) {
        clock.committedAt.set(eventId, at);
      }
    });
    await client.query('LISTEN service_platform_outbox');
    return clock;
  }

  of(eventId: string): number | undefined {
    return this.committedAt.get(eventId);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

interface PhaseResult extends CpuReading {
  name: string;
  load: string;
  seconds: number;
  registers: number;
  errors: number;
  firstError: string | undefined;
  skipped: number;
  registersPerS: number;
  /** Events of this phase that arrived while the load was on, per second of load. */
  eventsPerS: number;
  received: number;
  lost: number;
  duplicates: number;
  /** From the last answer to the last event of the phase. */
  drainMs: number;
  /** Most registrations answered but whose event had not arrived yet, at any moment. */
  maxInTransit: number;
  fromCommit: Stats;
  /** From the commit's NOTIFY reaching this process: the commit → publish latency itself. */
  fromNotify: Stats;
  fromAnswer: Stats;
  register: Stats;
  /** App CPU per registration, its event's relaying included (load and drain). */
  appCpuPerRegisterMs: number | undefined;
  /** This process's event loop delay (arrival times are read on it). */
  lagP99: number;
  lagMax: number;
}

function stats(values: number[]): Stats {
  const sorted = values.sort((a, b) => a - b);
  return {
    ...percentiles(sorted),
    overGoal: sorted.filter((value) => value > GOAL_P99_MS).length / Math.max(1, sorted.length),
  };
}

interface Bench {
  app: Child;
  witness: Witness;
  commits: CommitClock;
  clients: PlatformClient[];
  metadata: Metadata;
}

interface CpuReading {
  /** Cores' worth of CPU over the window: the app, this process, the rest of the machine. */
  appCores: number | undefined;
  benchCores: number;
  restCores: number | undefined;
  /** CPU seconds of the app over the window. */
  appSeconds: number | undefined;
}

/** CPU used from its creation on, by the app, this process and the rest of the machine. */
class CpuMeter {
  private readonly app: number | undefined;
  private readonly machine = machineJiffies();
  private readonly self = process.cpuUsage();
  private readonly started = now();

  constructor(private readonly pid: number | undefined) {
    this.app = cpuSeconds(pid);
  }

  read(): CpuReading {
    const app = cpuSeconds(this.pid);
    const machine = machineJiffies();
    const self = process.cpuUsage(this.self);
    const seconds = (now() - this.started) / 1000;
    const appSeconds = app === undefined || this.app === undefined ? undefined : app - this.app;
    const machineCores =
      machine === undefined || this.machine === undefined
        ? undefined
        : ((machine.busy - this.machine.busy) / Math.max(1, machine.total - this.machine.total)) *
          cpus().length;
    const appCores = appSeconds === undefined ? undefined : appSeconds / seconds;
    const benchCores = (self.user + self.system) / 1e6 / seconds;
    return {
      appCores,
      benchCores,
      restCores:
        machineCores === undefined || appCores === undefined
          ? undefined
          : Math.max(0, machineCores - appCores - benchCores),
      appSeconds,
    };
  }
}

/** Cores' worth of CPU the machine is busy with over `ms`, before the benchmark starts. */
async function backgroundCores(ms: number): Promise<number | undefined> {
  const before = machineJiffies();
  await sleep(ms);
  const after = machineJiffies();
  return before === undefined || after === undefined
    ? undefined
    : ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * cpus().length;
}

async function runPhase(
  bench: Bench,
  name: string,
  description: string,
  drive: (load: Registrations) => Promise<number>,
): Promise<PhaseResult> {
  const { app, witness } = bench;
  const load = new Registrations(bench.clients, bench.metadata);
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const meter = new CpuMeter(app.process.pid);
  const start = now();
  const skipped = await drive(load);
  const end = now();
  const cpu = meter.read();
  const ids = load.calls.map((call) => call.platformId);
  await witness.drain(ids, PHASES.drainStallMs, PHASES.drainMaxMs);
  const appSeconds = meter.read().appSeconds;
  lag.disable();

  const loadSeconds = (end - start) / 1000;
  const fromCommit: number[] = [];
  const fromNotify: number[] = [];
  const fromAnswer: number[] = [];
  const transit: [number, number][] = [];
  let duringLoad = 0;
  let lastAt = end;
  let duplicates = 0;
  for (const call of load.calls) {
    transit.push([call.answeredAt, 1]);
    const receipt = witness.receiptOf(call.platformId);
    if (receipt === undefined) continue;
    fromCommit.push(receipt.at - receipt.changedAt);
    const committedAt = bench.commits.of(receipt.eventId);
    if (committedAt !== undefined) fromNotify.push(receipt.at - committedAt);
    fromAnswer.push(receipt.at - call.answeredAt);
    transit.push([receipt.at, -1]);
    if (receipt.at <= end) duringLoad++;
    lastAt = Math.max(lastAt, receipt.at);
    duplicates += receipt.copies - 1;
  }
  let inTransit = 0;
  let maxInTransit = 0;
  for (const [, step] of transit.sort((a, b) => a[0] - b[0])) {
    inTransit += step;
    maxInTransit = Math.max(maxInTransit, inTransit);
  }
  return {
    name,
    load: description,
    seconds: loadSeconds,
    registers: load.calls.length,
    errors: load.errors,
    firstError: load.firstError,
    skipped,
    registersPerS: load.calls.length / loadSeconds,
    eventsPerS: duringLoad / loadSeconds,
    received: fromCommit.length,
    lost: load.calls.length - fromCommit.length,
    duplicates,
    drainMs: lastAt - end,
    maxInTransit,
    fromCommit: stats(fromCommit),
    fromNotify: stats(fromNotify),
    fromAnswer: stats(fromAnswer),
    register: stats(load.calls.map((call) => call.answeredAt - call.sentAt)),
    ...cpu,
    appCpuPerRegisterMs:
      appSeconds === undefined || load.calls.length === 0
        ? undefined
        : (appSeconds / load.calls.length) * 1000,
    lagP99: lag.percentile(99) / 1e6,
    lagMax: lag.max / 1e6,
  };
}

interface BacklogResult extends CpuReading {
  events: number;
  lost: number;
  /** From the backlog's commit to its last event's arrival. */
  seconds: number;
  eventsPerS: number;
  appCpuPerEventMs: number | undefined;
}

/**
 * The relay alone: `count` events of platforms that do not exist, inserted straight into
 * `outbox_events` in one transaction (a backlog, as after a broker outage), without any request
 * load; how fast the app relays them and at what CPU cost per event.
 */
async function relayBacklog(
  bench: Bench,
  databaseUrl: string,
  count: number,
): Promise<BacklogResult> {
  const pg = new PgClient({
    connectionString: databaseUrl,
    options: '-c search_path=service_platform',
  });
  await pg.connect();
  try {
    const meter = new CpuMeter(bench.app.process.pid);
    const { rows } = await pg.query<{ platform_id: string }>(
      `INSERT INTO outbox_events (id, platform_id, tenant_id, event_type, payload, changes, occurred_at, targets)
       SELECT e.id, e.platform_id, e.tenant_id, 'platform.registered',
              jsonb_build_object('event_id', e.id, 'event_type', 'platform.registered',
                'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'platform_id', e.platform_id, 'tenant_id', e.tenant_id, 'service_name', 'outlook',
                'version', 1, 'actor_id', 'bench-admin', 'config', '{}'::jsonb),
              '{}'::jsonb, now(), ARRAY['audit', 'publish']
       FROM (SELECT gen_random_uuid() AS id, gen_random_uuid() AS platform_id,
                    gen_random_uuid() AS tenant_id
             FROM generate_series(1, $1)) AS e
       RETURNING platform_id`,
      [count],
    );
    const committed = now();
    const ids = rows.map((row) => row.platform_id);
    await bench.witness.drain(ids, PHASES.drainStallMs, PHASES.drainMaxMs);
    const cpu = meter.read();
    const arrivals = ids.flatMap((id) => bench.witness.receiptOf(id)?.at ?? []);
    const seconds = (Math.max(committed, ...arrivals) - committed) / 1000;
    return {
      ...cpu,
      events: count,
      lost: count - arrivals.length,
      seconds,
      eventsPerS: arrivals.length / Math.max(seconds, 1e-3),
      appCpuPerEventMs: cpu.appSeconds === undefined ? undefined : (cpu.appSeconds / count) * 1000,
    };
  } finally {
    await pg.end();
  }
}

// ---- what the database sessions wait for ---------------------------------------------------

/**
 * Samples the app's sessions of the benchmark database (pg_stat_activity, every 10 ms): how many
 * are, on average, in each state / wait event / statement, and which locks they wait for.
 */
class SessionSampler {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  /** Most sessions not idle in one sample, and how many samples had that many. */
  private most = 0;
  private atMost = 0;
  private running = true;
  private readonly done: Promise<void>;

  private constructor(private readonly pg: PgClient) {
    this.done = this.loop();
  }

  static async start(databaseUrl: string): Promise<SessionSampler> {
    const pg = new PgClient({ connectionString: databaseUrl });
    await pg.connect();
    return new SessionSampler(pg);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const { rows } = await this.pg.query<{ key: string }>(
        `SELECT concat_ws(' | ', a.state,
                  coalesce(a.wait_event_type || ':' || a.wait_event, 'running'),
                  left(regexp_replace(a.query, '\\s+', ' ', 'g'), 60),
                  (SELECT 'waits for ' || string_agg(l.locktype || ' ' ||
                            coalesce(l.classid::regclass::text || ' ' || l.objid, '') || ' ' ||
                            l.mode, ', ')
                   FROM pg_locks AS l WHERE l.pid = a.pid AND NOT l.granted)) AS key
         FROM pg_stat_activity AS a
         WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
           AND a.backend_type = 'client backend' AND a.state <> 'idle'`,
      );
      this.samples++;
      if (rows.length > this.most) [this.most, this.atMost] = [rows.length, 0];
      if (rows.length === this.most) this.atMost++;
      for (const { key } of rows) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      await sleep(10);
    }
  }

  /** Stops sampling; the busiest keys, as average sessions. */
  async stop(top = 16): Promise<string[]> {
    this.running = false;
    await this.done;
    await this.pg.end();
    const total = [...this.counts.values()].reduce((sum, count) => sum + count, 0);
    return [
      `${this.samples} samples; sessions not idle: ${(total / Math.max(1, this.samples)).toFixed(2)} on average, at most ${this.most} (in ${((this.atMost / Math.max(1, this.samples)) * 100).toFixed(1)}% of the samples); on average, as`,
      'sessions  state | wait event | statement | ungranted lock',
      ...[...this.counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(
          ([key, count]) => `${(count / Math.max(1, this.samples)).toFixed(3).padStart(8)}  ${key}`,
        ),
    ];
  }
}

// ---- the run -------------------------------------------------------------------------------

/**
 * Whether the app kept up with a paced phase: every send went out, events kept pace with
 * registrations, and the last event arrived soon after the last answer.
 */
function sustained(phase: PhaseResult): boolean {
  return (
    phase.skipped === 0 &&
    phase.errors === 0 &&
    phase.eventsPerS >= 0.95 * phase.registersPerS &&
    phase.drainMs < 500
  );
}

interface Results {
  machine: Record<string, string>;
  phases: PhaseResult[];
  pacedRate: number;
  backlog: BacklogResult;
  /** Cores' worth of CPU the machine was busy with for a second before the run. */
  background: number | undefined;
  /** `Date.now()` minus `now()` at the start and at the end (clock consistency). */
  clockSkewMs: [number, number];
  profile: string[];
  waits: string[];
}

async function run(): Promise<Results> {
  if (FIXED_RATE !== undefined && !(FIXED_RATE > 0 && Number.isFinite(FIXED_RATE))) {
    throw new Error(`BENCH_RATE must be a positive number (got ${process.env.BENCH_RATE})`);
  }
  const clockSkewStart = Date.now() - now();
  const background = await backgroundCores(1000);
  const database = await prepareDatabase();
  const redis = await ThrowAwayRedis.start();
  const stopRedis = cleanUpStep('redis-server', () => redis.stop());
  let app: Child | undefined;
  let relay: Child | undefined;
  let closeWitness: (() => Promise<void>) | undefined;
  let closeCommits: (() => Promise<void>) | undefined;
  let clients: PlatformClient[] = [];
  try {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    if (PROFILE) {
      for (const dir of Object.values(PROFILE_DIRS)) mkdirSync(dir, { recursive: true });
    }
    const witness = await Witness.start(redis.url);
    closeWitness = cleanUpStep('subscriber', () => Promise.resolve(witness.close()));
    const commits = await CommitClock.start(database.url);
    closeCommits = cleanUpStep('commit listener', () => commits.close());
    app = await startApp(database.url, {
      REDIS_URL: redis.url,
      ...(SEPARATE_RELAY && { OUTBOX_RELAY_ENABLED: 'false' }),
    });
    if (SEPARATE_RELAY) relay = await startApp(database.url, { REDIS_URL: redis.url });
    clients = clientsOf(app.port, PHASES.channels);
    const bench: Bench = {
      app,
      witness,
      commits,
      clients,
      metadata: bearer({ sub: 'bench-admin', roles: ['platform-admin'] }),
    };
    const { warmup, concurrency, saturated, paced, pacedShare } = PHASES;

    console.error(`warm-up: ${concurrency} in flight (${warmup} ms)...`);
    const warm = await runPhase(bench, 'warm-up', '', (load) =>
      saturate(load, concurrency, warmup),
    );
    if (warm.registers === 0 || warm.lost > 0) {
      throw new Error(
        `warm-up: ${warm.registers} registered, ${warm.lost} events missing (${warm.firstError ?? 'no error'})`,
      );
    }

    console.error(`saturated: ${concurrency} in flight (${saturated} ms)...`);
    const first = await runPhase(bench, 'saturated', `${concurrency} in flight`, (load) =>
      saturate(load, concurrency, saturated),
    );
    await sleep(1000);

    let rate = FIXED_RATE ?? Math.max(1, Math.round(first.registersPerS * pacedShare));
    const pacedPhases: PhaseResult[] = [];
    for (let attempt = 1; ; attempt++) {
      const share =
        FIXED_RATE !== undefined
          ? ' (BENCH_RATE)'
          : ` (${Math.round((rate / first.registersPerS) * 100)}% of R)`;
      console.error(`paced: ${rate} registers/s (${paced} ms)...`);
      const phase = await runPhase(bench, 'paced', `${rate}/s${share}`, (load) =>
        pace(load, rate, paced, PHASES.pacedMaxInFlight),
      );
      pacedPhases.push(phase);
      if (sustained(phase) || FIXED_RATE !== undefined || attempt >= PHASES.pacedAttempts) break;
      phase.name = 'paced (not sustained)';
      rate = Math.max(1, Math.round(rate * pacedShare));
      await sleep(1000);
    }

    await sleep(1000);
    console.error(`relay alone: a backlog of ${PHASES.backlog} events...`);
    const backlog = await relayBacklog(bench, database.url, PHASES.backlog);

    if (PROFILE) {
      // The paced phase and the backlog once more, under the profiler (which slows the app):
      // not in the figures.
      await sleep(1000);
      console.error(`profiling the app: ${rate} registers/s (${paced} ms)...`);
      await ask(app, { profile: 'start' });
      await runPhase(bench, 'profiled', '', (load) =>
        pace(load, rate, paced, PHASES.pacedMaxInFlight),
      );
      await ask(app, { profile: 'stop', file: join(PROFILE_DIRS.paced, 'app.cpuprofile') });
      await sleep(1000);
      console.error(`profiling the app: a backlog of ${PHASES.backlog} events...`);
      await ask(app, { profile: 'start' });
      await relayBacklog(bench, database.url, PHASES.backlog);
      await ask(app, { profile: 'stop', file: join(PROFILE_DIRS.backlog, 'app.cpuprofile') });
    }

    const waits: string[] = [];
    if (PG_WAITS) {
      // The saturated and paced loads once more, sampling the database sessions: not counted.
      const sampled = async (
        what: string,
        drive: (load: Registrations) => Promise<number>,
      ): Promise<void> => {
        await sleep(1000);
        console.error(`sampling the database sessions: ${what}...`);
        const sampler = await SessionSampler.start(database.url);
        await runPhase(bench, 'sampled', '', drive);
        waits.push(`${what}:`, ...(await sampler.stop()), '');
      };
      await sampled(`${concurrency} in flight (${saturated / 1000} s)`, (load) =>
        saturate(load, concurrency, saturated),
      );
      await sampled(`${rate} registers/s (${paced / 1000} s)`, (load) =>
        pace(load, rate, paced, PHASES.pacedMaxInFlight),
      );
    }

    const machine = await machineInfo(
      database.url,
      ['@nestjs/cqrs', '@nestjs/microservices', '@prisma/client', 'pg', 'ioredis'],
      {
        App: `DATABASE_POOL_SIZE ${process.env.DATABASE_POOL_SIZE ?? '10 (default)'}; relay defaults: up to ${DEFAULT_OUTBOX_RELAY_SETTINGS.batchSize} events per round, polling every ${DEFAULT_OUTBOX_RELAY_SETTINGS.pollIntervalMs} ms besides LISTEN/NOTIFY`,
        Redis: `${witness.redisVersion} (a throw-away \`redis-server\`, same machine)`,
        Load: `load generator and Redis subscriber in this process (${PHASES.channels} HTTP/2 connections, one Redis connection), the app in a child process, PostgreSQL and Redis; all on the same cores`,
      },
    );
    if (witness.unexpected > 0) {
      throw new Error(`${witness.unexpected} messages of an unexpected event were received`);
    }
    return {
      machine,
      phases: [first, ...pacedPhases],
      pacedRate: rate,
      backlog,
      background,
      clockSkewMs: [clockSkewStart, Date.now() - now()],
      profile: PROFILE
        ? [
            `Paced registrations (${rate}/s for ${paced / 1000} s):`,
            ...summarizeProfile(PROFILE_DIRS.paced, 40),
            '',
            `The relay alone (a backlog of ${PHASES.backlog} events):`,
            ...summarizeProfile(PROFILE_DIRS.backlog, 24),
          ]
        : [],
      waits,
    };
  } finally {
    for (const client of clients) client.close();
    await closeWitness?.();
    await closeCommits?.();
    await stopServer(app);
    await stopServer(relay);
    await stopRedis();
    await database.drop();
  }
}

function render(results: Results): string {
  const f = (value: number | undefined, digits = 1): string =>
    value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
  const pct = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 2 : 1)}%`;
  const paced = results.phases.at(-1) as PhaseResult;
  const { backlog } = results;
  const met = paced.fromNotify.p99 <= GOAL_P99_MS && paced.lost === 0 && sustained(paced);
  const latencyRow = (phase: PhaseResult, from: string, s: Stats): string =>
    `| ${phase.name} | ${from} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${f(s.max)} | ${pct(s.overGoal)} |`;
  return [
    BEGIN,
    ...renderMachine('npm run bench:events', results.machine),
    '',
    `**Throughput and delivery** (after a ${PHASES.warmup / 1000} s warm-up; saturated for ${PHASES.saturated / 1000} s, then paced for ${PHASES.paced / 1000} s):`,
    '',
    '| phase | load | registers/s | events/s during load | registers | errors | events lost | duplicates | drain after load ms | max in transit | register call p50 / p99 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.phases.map(
      (phase) =>
        `| ${phase.name} | ${phase.load}${phase.skipped > 0 ? `, ${phase.skipped} sends skipped` : ''} | ${Math.round(phase.registersPerS)} | ${Math.round(phase.eventsPerS)} | ${phase.registers} | ${phase.errors} | ${phase.lost} | ${phase.duplicates} | ${Math.round(phase.drainMs)} | ${phase.maxInTransit} | ${f(phase.register.p50)} / ${f(phase.register.p99)} |`,
    ),
    '',
    `**CPU while the load was on** (cores' worth; the machine was busy with ${f(results.background, 2)} cores in the second before the run):`,
    '',
    '| phase | app | load generator | rest of the machine (PostgreSQL, Redis, other) | app CPU ms per register, relaying included |',
    '|---|---:|---:|---:|---:|',
    ...results.phases.map(
      (phase) =>
        `| ${phase.name} | ${f(phase.appCores, 2)} | ${f(phase.benchCores, 2)} | ${f(phase.restCores, 2)} | ${f(phase.appCpuPerRegisterMs, 2)} |`,
    ),
    `| relay alone (below) | ${f(backlog.appCores, 2)} | ${f(backlog.benchCores, 2)} | ${f(backlog.restCores, 2)} | ${f(backlog.appCpuPerEventMs, 2)} per event |`,
    '',
    `**Relay alone:** a backlog of ${backlog.events} events inserted straight into \`outbox_events\` in one transaction, no requests: relayed in ${f(backlog.seconds, 2)} s, **${Math.round(backlog.eventsPerS)} events/s**, ${backlog.lost} lost.`,
    '',
    '**Latency to the Redis subscriber** (ms). "commit (its NOTIFY)": from the moment the commit\'s NOTIFY (payload `<schema> <event id>`, delivered by PostgreSQL at commit) reached this process, the commit → publish latency the goal is about. "change time": from `data.timestamp`, set just before the transaction, so it also counts the registration\'s own transaction (an upper bound). "answer": from when the `RegisterPlatform` answer reached the client (a lower bound, may be negative):',
    '',
    `| phase | measured from | p50 | p90 | p99 | max | over ${GOAL_P99_MS} ms |`,
    '|---|---|---:|---:|---:|---:|---:|',
    ...results.phases.flatMap((phase) => [
      latencyRow(phase, 'commit (its NOTIFY)', phase.fromNotify),
      latencyRow(phase, 'change time (upper bound)', phase.fromCommit),
      latencyRow(phase, 'answer (lower bound)', phase.fromAnswer),
    ]),
    '',
    `**p99 commit → Redis subscriber at ${results.pacedRate} registers/s${sustained(paced) ? ' (sustained)' : ' (NOT sustained)'}: ${f(paced.fromNotify.p99)} ms, goal ≤ ${GOAL_P99_MS} ms: ${met ? 'met' : 'not met'}.** At saturation (${Math.round(results.phases[0]?.registersPerS ?? 0)} registers/s): ${f(results.phases[0]?.fromNotify.p99)} ms.`,
    '',
    `Load generator's event loop delay (arrival times are read on it): p99 ${results.phases.map((phase) => `${f(phase.lagP99)} ms (${phase.name})`).join(', ')}; max ${results.phases.map((phase) => `${f(phase.lagMax)} ms`).join(', ')}. Clock check, \`Date.now()\` − \`performance.timeOrigin + performance.now()\`: ${f(results.clockSkewMs[0], 2)} ms at the start, ${f(results.clockSkewMs[1], 2)} ms at the end.`,
    ...results.phases
      .filter((phase) => phase.firstError !== undefined)
      .map((phase) => `\nFirst error (${phase.name}): \`${phase.firstError}\``),
    ...codeBlock(
      '`BENCH_PROFILE=1`: CPU profiles of the app, from the paced phase and the relay-alone backlog run once more under the profiler (not counted above):',
      results.profile,
    ),
    ...codeBlock(
      "`BENCH_PG_WAITS=1`: the app's PostgreSQL sessions during the saturated and the paced load run once more (not counted above), sampled from `pg_stat_activity` and `pg_locks` every 10 ms:",
      results.waits.slice(0, -1),
    ),
    END,
  ].join('\n');
}

runBenchmark({
  section: {
    begin: BEGIN,
    end: END,
    heading: SEPARATE_RELAY
      ? 'Change events with the relay in its own process'
      : 'Change events: commit → Redis publish latency',
  },
  deadlineMs: DEADLINE_MS,
  run: () => run().then(render),
});
