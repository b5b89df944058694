import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/** How a suite that needs Redis gets one. */
export type RedisSource = 'redis-server' | 'TEST_REDIS_URL' | undefined;

let source: RedisSource | null = null;

/** `redis-server` on the PATH (a throw-away server per suite), else `TEST_REDIS_URL`, else none. */
export function redisSource(): RedisSource {
  if (source === null) {
    const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
    source =
      probe.error === undefined && probe.status === 0
        ? 'redis-server'
        : process.env.TEST_REDIS_URL
          ? 'TEST_REDIS_URL'
          : undefined;
  }
  return source;
}

const HOW_TO =
  'install what each needs (redis-server, e.g. `apt install redis-server`, or TEST_REDIS_URL; ' +
  'Chromium, `apt install chromium`, or CHROMIUM_PATH)';

/**
 * A suite that needs Redis: `restarts` when it stops and restarts the server itself (only a
 * throw-away `redis-server` allows that). Without one it is not run, and never silently: the
 * run ends with one loud line naming it (test/support/global-teardown.ts); with
 * REQUIRE_ALL_SUITES=1 (CI) it fails instead.
 */
export function describeWithRedis(
  name: string,
  body: () => void,
  { restarts = false }: { restarts?: boolean } = {},
): void {
  const available = restarts ? redisSource() === 'redis-server' : redisSource() !== undefined;
  const needs = restarts ? 'redis-server on the PATH (it restarts Redis)' : 'Redis';
  describeIf(available, name, body, needs);
}

/** Runs the suite when `available`; otherwise fails it (REQUIRE_ALL_SUITES=1) or reports it. */
function describeIf(available: boolean, name: string, body: () => void, needs: string): void {
  if (available) {
    describe(name, body);
    return;
  }
  if (process.env.REQUIRE_ALL_SUITES === '1') {
    describe(name, () => {
      it(`needs ${needs}`, () => {
        throw new Error(`REQUIRE_ALL_SUITES=1 and this suite needs ${needs}`);
      });
    });
    return;
  }
  const runDirectory = process.env.TEST_RUN_DIR;
  if (runDirectory !== undefined) {
    const suite = path.relative(process.cwd(), expect.getState().testPath ?? name);
    appendFileSync(path.join(runDirectory, 'not-run.txt'), `${suite}\t${needs}\n`);
  }
  describe.skip(`${name} [NOT RUN: needs ${needs}]`, body);
}

/** Where Chromium is: CHROMIUM_PATH, else Debian's `chromium` (apt install chromium). */
export function chromiumPath(): string | undefined {
  for (const candidate of [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ]) {
    if (candidate !== undefined && candidate !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** A suite that drives a real browser: like `describeWithRedis`, never silently skipped. */
export function describeWithBrowser(name: string, body: () => void): void {
  describeIf(
    chromiumPath() !== undefined,
    name,
    body,
    'Chromium (apt install chromium, or CHROMIUM_PATH)',
  );
}

export const NOT_RUN_HOW_TO = HOW_TO;
