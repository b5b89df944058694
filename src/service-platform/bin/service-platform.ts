#!/usr/bin/env node
// `npx service-platform <command>`: the module's operations, run from the host app's machine.
import 'reflect-metadata';
import { migrateCommand } from './migrate.command';
import { remaskHistoryCommand } from './remask-history.command';
import { rotateKeysCommand } from './rotate-keys.command';

const USAGE = `Usage: service-platform <command> [options]

Commands:
  migrate          apply the module's migrations to DATABASE_URL
  keys:rotate      re-wrap every data key with the first key of ENCRYPTION_KEYS
  history:remask   re-mask events and audit entries written before the service catalog

Run 'service-platform <command> --help' for a command's options.`;

const out = {
  log: (line: string): void => void process.stdout.write(`${line}\n`),
  error: (line: string): void => void process.stderr.write(`${line}\n`),
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate':
      return migrateCommand(rest, process.env, out);
    case 'keys:rotate':
      return rotateKeysCommand(rest, process.env);
    case 'history:remask':
      return remaskHistoryCommand(rest, process.env, out);
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      out.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      out.error(`Unknown command '${command}'.\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    out.error(
      `service-platform ${process.argv[2] ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
  },
);
