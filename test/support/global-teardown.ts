import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { NOT_RUN_HOW_TO } from './suite-requirements';
import { testRun } from './test-run';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { dropDatabase } = require('../../scripts/lib/test-database.cjs') as {
  dropDatabase(options: { name: string }): Promise<void>;
};

export default async function globalTeardown(): Promise<void> {
  const name = process.env.TEST_DATABASE_NAME;
  if (name && process.env.KEEP_TEST_DATABASE !== '1') await dropDatabase({ name });
  const run = testRun();
  await run?.embedded?.stop();
  const runDirectory = process.env.TEST_RUN_DIR;
  if (runDirectory === undefined) return;
  const notRunFile = path.join(runDirectory, 'not-run.txt');
  const notRun = existsSync(notRunFile)
    ? [
        ...new Set(
          readFileSync(notRunFile, 'utf8')
            .split('\n')
            .filter((line) => line !== ''),
        ),
      ]
    : [];
  rmSync(runDirectory, { recursive: true, force: true });
  if (notRun.length > 0) {
    const suites = notRun
      .map((line) => {
        const [suite, needs] = line.split('\t');
        return `${suite} (needs ${needs})`;
      })
      .join(', ');
    process.stderr.write(
      `\n!!! ${notRun.length} SUITE(S) NOT RUN: ${suites}. To run them: ${NOT_RUN_HOW_TO}; ` +
        'REQUIRE_ALL_SUITES=1 makes this a failure. !!!\n\n',
    );
  }
}
