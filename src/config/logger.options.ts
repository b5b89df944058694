import type { Params } from 'nestjs-pino';
import pino from 'pino';

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  // A bearer token or gRPC metadata logged by hand, e.g. logger.warn({ headers }, …).
  '*.authorization',
  '*.headers.authorization',
  '*.metadata.authorization',
  '*.AUTH_JWT_SECRET',
  '*.ENCRYPTION_KEYS',
  '*.id_token',
  '*.api_key',
  '*.private_key',
  '*.client_secret',
  '*.*.client_secret',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
];

/**
 * Structured JSON logs, one line per request; secrets redacted, request bodies never logged.
 * To stdout, or appended to `file` (written synchronously, so nothing is lost at exit).
 */
export function loggerOptions(level: string, file?: string): Params {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
    },
  } satisfies Params['pinoHttp'];
  return {
    pinoHttp:
      file === undefined
        ? options
        : [options, pino.destination({ dest: file, sync: true, mkdir: true, append: true })],
  };
}
