/** What every secret value is replaced with outside the module (responses, logs, events, audit). */
export const MASKED_SECRET = '********';

/**
 * String values that are credentials whatever field holds them: PEM private keys, connection
 * strings with a password or account key, SAS tokens, JWTs, URLs with a password. Which fields are
 * secret is the service catalog's business (`SecretPolicy`); this only keeps a field declared
 * public from showing a credential someone put there.
 */
const SECRET_VALUE_PATTERN =
  /-----BEGIN [A-Z ]*PRIVATE KEY-----|(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey)\s*=|[?&]sig=|\beyJ[\w-]+\.eyJ[\w-]+\.|:\/\/[^/\s:@]+:[^/\s@]+@/i;

export function isSecretValue(value: unknown): boolean {
  return typeof value === 'string' && SECRET_VALUE_PATTERN.test(value);
}
