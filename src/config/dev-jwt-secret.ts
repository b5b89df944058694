import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const DEV_JWT_SECRET_FILE = resolve('.data', 'dev-jwt-secret');

/**
 * Outside production, with no AUTH_JWT_SECRET, a random HS256 secret (48 bytes, base64url) is
 * generated once into ./.data/ (mode 0600) and reused, so tokens made with `npm run token` keep
 * working across restarts. `scripts/token.cjs` reads (or creates) the same file the same way.
 */
export function loadOrCreateDevJwtSecret(file = DEV_JWT_SECRET_FILE): string {
  const existing = readSecret(file);
  if (existing !== undefined) return existing;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  try {
    // 'wx': if another process created it meanwhile, use its secret rather than overwrite it.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' ? readSecret(file) : undefined;
    if (raced !== undefined) return raced;
    throw error;
  }
  chmodSync(file, 0o600);
  return secret;
}

function readSecret(file: string): string | undefined {
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret !== '') return secret;
    throw new Error(`${file} is empty: delete it to generate a new development JWT secret`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
