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

/** The app's two pino loggers, writing to one destination. */
export interface AppLoggers {
  /** Nest's logger (nestjs-pino's root): anything logged by hand, redacted. */
  readonly root: pino.Logger;
  /**
   * The request lines: fields the app fills in itself (ids, method, path, status, duration,
   * codes; never headers or bodies), so no redaction pass over each one.
   */
  readonly requests: pino.Logger;
}

export const APP_LOGGERS = Symbol('APP_LOGGERS');

/**
 * To stdout (written asynchronously), or appended to `file` (written synchronously: for tests
 * and debugging, every line is there when the request has been answered).
 */
export function logDestination(file?: string): pino.DestinationStream {
  return file === undefined
    ? // pino's default, made explicit: asynchronous (lines written while a write is in flight go
      // out together; flushed at exit), no minimum length, so that no line (the startup line
      // above all) is held back.
      pino.destination({ dest: 1, sync: false })
    : pino.destination({ dest: file, sync: true, mkdir: true, append: true });
}

/** Structured JSON logs at `level`: secrets redacted, request bodies never logged. */
export function createAppLoggers(
  level: string,
  destination: pino.DestinationStream = logDestination(),
): AppLoggers {
  return {
    root: pino({ level, redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' } }, destination),
    requests: pino({ level }, destination),
  };
}

/**
 * nestjs-pino over the root logger, with no middleware of its own: no child logger and no
 * AsyncLocalStorage scope per request (most of the logging's cost per request). The request line
 * is written by the HTTP instrumentation when the answer is finished (`logRequest`).
 */
export function loggerParams(loggers: AppLoggers): Params {
  return { pinoHttp: { logger: loggers.root, autoLogging: false }, forRoutes: [] };
}
