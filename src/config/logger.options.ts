import type { Params } from 'nestjs-pino';

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.client_secret',
  '*.*.client_secret',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
];

/** Structured JSON logs, one line per request; secrets redacted, request bodies never logged. */
export function loggerOptions(level: string): Params {
  return {
    pinoHttp: {
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
    },
  };
}
