import type { EmbeddedPostgres } from '../../src/dev/embedded-postgres';

/** What the global setup started for the run, for the global teardown (same process). */
export interface TestRun {
  embedded?: EmbeddedPostgres;
}

const KEY = Symbol.for('service-platform.test-run');

export function testRun(): TestRun | undefined {
  return (globalThis as Record<symbol, TestRun | undefined>)[KEY];
}

export function setTestRun(run: TestRun): void {
  (globalThis as Record<symbol, TestRun | undefined>)[KEY] = run;
}
