import { parseArgs } from 'node:util';
import { InvalidKeyRingError, KeyRing } from '../infrastructure/crypto/key-ring';
import { databaseFromEnv } from './database-from-env';

export const USAGE = `Usage: service-platform keys:rotate [--reencrypt] [--batch-size N] [--schema NAME]

Re-wraps every tenant data key with the primary (first) master key of ENCRYPTION_KEYS, in
batches, while the service keeps running. Interrupted or failed runs resume where they stopped
when run again; running a finished rotation again does nothing.

Options:
  --reencrypt       also re-encrypt every configuration under a fresh data key of its tenant
                    (content, version and ETag unchanged)
  --batch-size N    rows per batch, 1-1000 (default 100)
  --schema NAME     schema of the module's tables (default: DATABASE_SCHEMA, else the URL's
                    ?schema=, else service_platform)
  -h, --help        show this help

Environment:
  DATABASE_URL      postgresql://user:password@host:5432/database[?schema=name]
  ENCRYPTION_KEYS   the key ring with the NEW key first: new-id:base64,old-id:base64

Exit status: 0 rotated, 1 failed (nothing is lost; fix the cause and run again),
130 interrupted by Ctrl-C (run again to resume).`;

export interface RotateKeysCommand {
  readonly help: boolean;
  readonly reencrypt: boolean;
  readonly batchSize: number;
  readonly databaseUrl: string;
  readonly schema: string;
  readonly encryptionKeys: string;
}

/** Invalid command line or environment; the message lists every problem, never a key. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseRotateKeysCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): RotateKeysCommand {
  let values: { reencrypt?: boolean; 'batch-size'?: string; schema?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        reencrypt: { type: 'boolean' },
        'batch-size': { type: 'string' },
        schema: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help === true;
  const problems: string[] = [];

  const batchText = values['batch-size'] ?? '100';
  const batchSize = /^\d+$/.test(batchText) ? Number(batchText) : Number.NaN;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    problems.push('--batch-size must be an integer from 1 to 1000');
  }

  let databaseUrl = '';
  let schema = '';
  const encryptionKeys = env.ENCRYPTION_KEYS?.trim() ?? '';
  if (!help) {
    try {
      ({ url: databaseUrl, schema } = databaseFromEnv(env, values.schema));
    } catch (error) {
      problems.push((error as Error).message);
    }
    if (encryptionKeys === '') {
      problems.push('ENCRYPTION_KEYS is required: the key ring with the new key first');
    } else {
      try {
        KeyRing.parse(encryptionKeys);
      } catch (error) {
        problems.push(
          error instanceof InvalidKeyRingError ? error.message : 'ENCRYPTION_KEYS is invalid',
        );
      }
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return {
    help,
    reencrypt: values.reencrypt === true,
    batchSize,
    databaseUrl,
    schema,
    encryptionKeys,
  };
}
