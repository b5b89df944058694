import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const DEV_KEY_FILE = resolve('.data', 'dev-encryption-key');

/**
 * Outside production, with no ENCRYPTION_KEYS, a key ring of one random key is generated once
 * into ./.data/ (mode 0600) and reused, so data written in development stays readable.
 */
export function loadOrCreateDevEncryptionKey(file = DEV_KEY_FILE): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const ring = `dev-${new Date().toISOString().slice(0, 10)}:${randomBytes(32).toString('base64')}`;
  writeFileSync(file, `${ring}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return ring;
}
