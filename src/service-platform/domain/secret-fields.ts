/** What every secret value is replaced with outside the module (responses, logs, events, audit). */
export const MASKED_SECRET = '********';

/**
 * Keys of `additional_data` treated as secrets. Providers put refresh tokens, signing keys and
 * passwords there; matching by name keeps them masked before the provider catalog names them.
 */
const SECRET_KEY_PATTERN =
  /(secret|password|passwd|passphrase|token|private[_-]?key|api[_-]?key|signing[_-]?key|credential|certificate|cert[_-]?key)/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

/** Deep copy of a JSON value with every value under a secret-looking key masked. */
export function maskSecretsIn(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => maskSecretsIn(item));
  if (value !== null && typeof value === 'object') {
    const masked: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      masked[key] = isSecretKey(key) ? MASKED_SECRET : maskSecretsIn(inner);
    }
    return masked;
  }
  return value;
}
