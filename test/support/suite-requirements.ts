import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
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
  'install redis-server (e.g. `apt install redis-server`, `brew install redis`) or set TEST_REDIS_URL';

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
  if (available) {
    describe(name, body);
    return;
  }
  const needs = restarts ? 'redis-server on the PATH (it restarts Redis)' : 'Redis';
  if (process.env.REQUIRE_ALL_SUITES === '1') {
    describe(name, () => {
      it(`needs ${needs}`, () => {
        throw new Error(`REQUIRE_ALL_SUITES=1 and this suite needs ${needs}: ${HOW_TO}`);
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

export const NOT_RUN_HOW_TO = HOW_TO;
