/** What every secret value is replaced with outside the module (responses, logs, events, audit). */
export const MASKED_SECRET = '********';

/**
 * Keys of `additional_data` treated as secrets. Providers put refresh tokens, account keys,
 * connection strings and passwords there; until the provider catalog names each provider's
 * secret fields, anything whose name suggests a credential is masked. Over-masking a harmless
 * field costs a client a GET of something it already knows; under-masking leaks a secret.
 */
const SECRET_KEY_PATTERN =
  /(secret|passw|pwd|passphrase|token|key|credential|cert|pem|jwk|connection|conn[_-]?str|dsn|auth|session|cookie|sas|signature|sig$|salt|seed|otp|pin$|hmac|private|refresh|bearer|nonce)/i;

/**
 * String values that are credentials whatever their key: PEM private keys, connection strings
 * with a password or account key, SAS tokens, JWTs.
 */
const SECRET_VALUE_PATTERN =
  /-----BEGIN [A-Z ]*PRIVATE KEY-----|(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey)\s*=|[?&]sig=|\beyJ[\w-]+\.eyJ[\w-]+\.|:\/\/[^/\s:@]+:[^/\s@]+@/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

export function isSecretValue(value: unknown): boolean {
  return typeof value === 'string' && SECRET_VALUE_PATTERN.test(value);
}

/** Deep copy of a JSON value with every secret-looking key's value, and secret-looking string, masked. */
export function maskSecretsIn(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => maskSecretsIn(item));
  if (value !== null && typeof value === 'object') {
    const masked: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      masked[key] = isSecretKey(key) ? MASKED_SECRET : maskSecretsIn(inner);
    }
    return masked;
  }
  return isSecretValue(value) ? MASKED_SECRET : value;
}
