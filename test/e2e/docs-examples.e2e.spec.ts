import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/grpc-client';

const root = path.join(__dirname, '..', '..');

interface Block {
  readonly lang: string;
  readonly code: string;
}

/** The fenced code blocks of a Markdown file, in order. */
function blocksOf(file: string): Block[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^```([a-z]*)\n([\s\S]*?)^```$/gm)].map((match) => ({
    lang: match[1] ?? '',
    code: match[2] ?? '',
  }));
}

const DOCS = ['README.md', ...readdirSync(path.join(root, 'docs')).map((name) => `docs/${name}`)]
  .filter((file) => file.endsWith('.md'))
  .sort();

const hasGrpcurl = spawnSync('grpcurl', ['-version'], { stdio: 'ignore' }).error === undefined;

/**
 * Issue 13: every shell example of the README and docs/ runs verbatim against the demo app on its
 * embedded PostgreSQL, as `npm start` runs it (`sh` blocks, one shell per page, in order, with the
 * default ports pointed at this app). `bash` blocks are commands that cannot run in place
 * (installing, starting, Docker, grpcurl): each names the CI step or test that runs it.
 */
describe('shell examples of the README and docs/', () => {
  let app: ChildProcess | undefined;
  let output = '';
  let dataRoot: string;
  const ports = { http: 0, grpc: 0, metrics: 0, postgres: 0 };
  let shellEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist', 'main.js'))) {
      // The docs use the built app (npm start builds it) and the package (dist/service-platform).
      const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
    }
    dataRoot = mkdtempSync(path.join(tmpdir(), 'sp-docs-'));
    chmodSync(dataRoot, 0o755);
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(ports.http),
      GRPC_PORT: String(ports.grpc),
      METRICS_PORT: String(ports.metrics),
      EMBEDDED_POSTGRES_DIR: path.join(dataRoot, 'postgres'),
      EMBEDDED_POSTGRES_PORT: String(ports.postgres),
      LOG_LEVEL: 'warn',
    };
    // As a newcomer runs it: no database, no Redis, the development secrets of ./.data (which
    // `npm run token` signs with too).
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'AUTH_JWT_SECRET', 'ENCRYPTION_KEYS']) {
      delete env[name];
    }
    shellEnv = { ...env };
    app = spawn(process.execPath, ['dist/main.js'], { cwd: root, env, stdio: 'pipe' });
    app.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    app.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (app.exitCode !== null) throw new Error(`the app exited: ${output}`);
      const ready = await fetch(`http://127.0.0.1:${ports.http}/health/ready`).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`the app was not ready in 60 s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 180_000);

  afterAll(async () => {
    if (app !== undefined && app.exitCode === null) {
      app.kill('SIGTERM');
      await once(app, 'exit');
    }
    rmSync(dataRoot, { recursive: true, force: true });
  });

  /** Runs a page's blocks in one bash, pointed at the app under test. */
  function run(code: string): { status: number | null; stdout: string; stderr: string } {
    const script = code
      .replaceAll('localhost:3000', `127.0.0.1:${ports.http}`)
      .replaceAll('localhost:5000', `127.0.0.1:${ports.grpc}`)
      .replaceAll('localhost:9464', `127.0.0.1:${ports.metrics}`);
    const result = spawnSync('bash', ['-c', `set -euo pipefail\n${script}`], {
      cwd: root,
      env: shellEnv,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('cover the README and every page that has commands', () => {
    const withShell = DOCS.filter((file) => blocksOf(file).some((b) => b.lang === 'sh'));
    expect(withShell).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/grpc.md',
        'docs/keys.md',
        'docs/operations.md',
        'docs/rest.md',
      ]),
    );
  });

  it.each(DOCS)('%s: every bash block names what runs it', (file) => {
    for (const block of blocksOf(file).filter((b) => b.lang === 'bash')) {
      const first = block.code.split('\n')[0] ?? '';
      expect(first).toMatch(/^# (run by CI: \S+|needs grpcurl)/);
      const runner = /^# run by CI: (\S+)/.exec(first)?.[1];
      if (runner !== undefined) expect(existsSync(path.join(root, runner))).toBe(true);
    }
  });

  it.each(DOCS.filter((file) => blocksOf(file).some((b) => b.lang === 'sh')))(
    '%s: its sh blocks run verbatim',
    (file) => {
      const code = blocksOf(file)
        .filter((b) => b.lang === 'sh')
        .map((b) => b.code)
        .join('\n');
      const result = run(code);
      if (result.status !== 0) {
        throw new Error(
          `${file} failed (exit ${result.status}):\n${result.stderr}\n--- stdout ---\n${result.stdout}`,
        );
      }
    },
    150_000,
  );

  (hasGrpcurl ? it : it.skip)('docs/grpc.md: the grpcurl block runs (grpcurl installed)', () => {
    const block = blocksOf('docs/grpc.md').find((b) => b.code.startsWith('# needs grpcurl'));
    expect(run(block?.code ?? 'false').status).toBe(0);
  });
});
