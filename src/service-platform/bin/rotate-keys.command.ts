// `service-platform keys:rotate [--reencrypt] [--batch-size N]`: see USAGE in rotate-keys.args.ts.
import { NestFactory } from '@nestjs/core';
import {
  KeyRotationService,
  type RotationSummary,
} from '../application/key-rotation/key-rotation.service';
import { RotationInterruptedError } from '../application/key-rotation/rotation-interrupted.error';
import { ServicePlatformKeyRotationModule } from '../service-platform-key-rotation.module';
import { ProgressBar } from './progress-bar';
import {
  parseRotateKeysCommand,
  USAGE,
  UsageError,
  type RotateKeysCommand,
} from './rotate-keys.args';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_INTERRUPTED = 130;

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The final count line (stdout). */
function countLine(summary: RotationSummary): string {
  const counts = [
    `${summary.keysRewrapped} data key(s) re-wrapped`,
    `${summary.keysLeftOnOtherMasterKeys} left on other master keys`,
  ];
  if (summary.reencrypt) {
    counts.push(
      `${summary.configsReencrypted} configuration(s) re-encrypted`,
      `${summary.configsLeftOnOldDataKeys} left on old data keys`,
    );
  }
  const state = summary.completed ? 'complete' : 'INCOMPLETE';
  const resumed = summary.resumed ? ', resumed' : '';
  return `Key rotation ${state} (master key ${summary.masterKeyId}, rotation ${summary.rotationId}${resumed}): ${counts.join(', ')}`;
}

async function rotate(command: RotateKeysCommand): Promise<number> {
  const app = await NestFactory.createApplicationContext(
    ServicePlatformKeyRotationModule.forRoot({
      // Waiting for a row a request holds locked is normal: allow more than the service's default.
      database: {
        url: command.databaseUrl,
        schema: command.schema,
        poolSize: 3,
        queryTimeoutMs: 30_000,
        applicationName: 'service-platform-keys-rotate',
      },
      encryption: { keys: command.encryptionKeys },
    }),
    { logger: false, abortOnError: false },
  );
  const progress = new ProgressBar(process.stderr);
  const stop = new AbortController();
  const onSigint = (): void => {
    progress.end();
    if (stop.signal.aborted) {
      say('Stopped without waiting for the current batch; run the command again to resume.');
      process.exit(EXIT_INTERRUPTED);
    }
    stop.abort();
    say('Stopping after the current batch (Ctrl-C again to stop at once)...');
  };
  process.on('SIGINT', onSigint);
  try {
    const summary = await app.get(KeyRotationService).rotate({
      reencrypt: command.reencrypt,
      batchSize: command.batchSize,
      onProgress: (p) => progress.update(p),
      signal: stop.signal,
    });
    progress.end();
    process.stdout.write(`${countLine(summary)}\n`);
    if (!summary.completed) {
      say(
        'Some data is still on an old key: is a service instance still running with the old ' +
          'primary master key first in ENCRYPTION_KEYS? Fix that and run the command again.',
      );
      return EXIT_FAILED;
    }
    if (summary.oldDataKeysKept > 0) {
      say(
        `${summary.oldDataKeysKept} old data key(s) are kept (wrapped by ${summary.masterKeyId}); ` +
          'no configuration uses them any more.',
      );
    }
    say(
      `Every data key is wrapped by '${summary.masterKeyId}': master keys after it may now be ` +
        'removed from ENCRYPTION_KEYS.',
    );
    return EXIT_OK;
  } catch (error) {
    progress.end();
    if (error instanceof RotationInterruptedError) {
      say(error.message);
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    await app.close();
  }
}

/**
 * `service-platform keys:rotate`: exit status 0 rotated, 1 failed (nothing is lost), 130
 * interrupted (run again to resume).
 */
export async function rotateKeysCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  let command: RotateKeysCommand;
  try {
    command = parseRotateKeysCommand(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(`${error.message}\n\n${USAGE}`);
    return EXIT_FAILED;
  }
  if (command.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  try {
    return await rotate(command);
  } catch (error) {
    // Messages name key and row ids, never key material or configuration content.
    say(`Key rotation failed: ${reasonOf(error)}`);
    say('Nothing is lost: what was done is committed. Fix the cause and run the command again.');
    return EXIT_FAILED;
  }
}

/** The reason, on one line where possible: Prisma puts the calling code before it. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const lines = error.message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const prismaFrame = lines.length > 1 && /^Invalid `.+` invocation/.test(lines[0] ?? '');
  return prismaFrame ? (lines.at(-1) as string) : error.message.trim();
}
