import { InvalidKeyRingError, KeyRing } from '../service-platform/infrastructure/crypto/key-ring';
import { DEV_KEY_FILE, loadOrCreateDevEncryptionKey } from './dev-encryption-key';
import { DEV_JWT_SECRET_FILE, loadOrCreateDevJwtSecret } from './dev-jwt-secret';

/** The demo host app's settings, validated once at start-up (contract: "Running the demo host app"). */
export interface Environment {
  NODE_ENV: string;
  PORT: number;
  /** gRPC port of the same process (contract: "Running the demo host app"). */
  GRPC_PORT: number;
  /** Unset outside production: the demo app starts an embedded PostgreSQL (src/dev). */
  DATABASE_URL: string | undefined;
  /** `apply-on-start` (default): the module applies its migrations when it starts; `manual`. */
  DATABASE_MIGRATIONS: 'apply-on-start' | 'manual';
  /** The embedded PostgreSQL's data directory and port (DATABASE_URL unset). */
  EMBEDDED_POSTGRES_DIR: string;
  EMBEDDED_POSTGRES_PORT: number;
  /** Port of `GET /metrics` (Prometheus), unauthenticated; 0: no metrics endpoint. */
  METRICS_PORT: number;
  /** Interface the metrics endpoint listens on (default 127.0.0.1: not reachable from outside). */
  METRICS_HOST: string;
  DATABASE_POOL_SIZE: number;
  DATABASE_QUERY_TIMEOUT_MS: number;
  /** How long a request waits for a pooled connection before it fails with 503. */
  DATABASE_CONNECTION_TIMEOUT_MS: number;
  ENCRYPTION_KEYS: string;
  /** HS256 secret of the bearer tokens (a generated development secret outside production). */
  AUTH_JWT_SECRET: string;
  /** In production, tokens whose `exp` lies further ahead than this many seconds are refused. */
  AUTH_MAX_TOKEN_LIFETIME: number;
  /** Origins allowed by CORS; empty = CORS off (no CORS headers at all). */
  CORS_ORIGINS: string[];
  /** Requests per rolling minute per tenant (else per actor, else per address). */
  RATE_LIMIT_PER_MINUTE: number;
  /** Redis for change events (pub/sub) and the shared read cache; unset: in-process only. */
  REDIS_URL: string | undefined;
  /** Hours dispatched events are kept in the outbox before they are pruned. */
  OUTBOX_RETENTION_HOURS: number;
  /** Whether this instance relays outbox events (false: API-only, another instance relays). */
  OUTBOX_RELAY_ENABLED: boolean;
  /** Whether services the catalog does not know may be registered (generic: every field secret). */
  CATALOG_ALLOW_UNKNOWN_SERVICES: boolean;
  LOG_LEVEL: string;
  /** How long a graceful shutdown (SIGTERM) may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: number;
  /** Append logs to this file instead of stdout (unset: stdout). */
  LOG_FILE: string | undefined;
}

/** Shortest AUTH_JWT_SECRET accepted in production (HS256 wants at least 256 bits). */
export const MIN_JWT_SECRET_LENGTH = 32;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Refuses to start with one message listing every problem; never echoes a secret value. */
export function validateEnvironment(
  raw: Record<string, unknown>,
  /** `warn: false` for the second validation of a process (the config module after main.ts). */
  { warn = true }: { warn?: boolean } = {},
): Environment {
  const problems: string[] = [];
  const warnOnce = (message: string, options: { code: string }): void => {
    if (warn) process.emitWarning(message, options);
  };
  const text = (name: string): string | undefined => {
    const value = raw[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const nodeEnv = text('NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';

  const port = integer(text('PORT') ?? '3000', 'PORT', 1, 65535, problems);
  const grpcPort = integer(text('GRPC_PORT') ?? '5000', 'GRPC_PORT', 1, 65535, problems);
  if (grpcPort === port) problems.push('GRPC_PORT must differ from PORT');
  const poolSize = integer(
    text('DATABASE_POOL_SIZE') ?? '10',
    'DATABASE_POOL_SIZE',
    1,
    1000,
    problems,
  );

  const queryTimeout = integer(
    text('DATABASE_QUERY_TIMEOUT_MS') ?? '10000',
    'DATABASE_QUERY_TIMEOUT_MS',
    100,
    600_000,
    problems,
  );

  const connectionTimeout = integer(
    text('DATABASE_CONNECTION_TIMEOUT_MS') ?? '5000',
    'DATABASE_CONNECTION_TIMEOUT_MS',
    100,
    600_000,
    problems,
  );

  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl === undefined) {
    if (production) {
      problems.push(
        'DATABASE_URL is required in production (postgresql://user:password@host:5432/database)',
      );
    }
  } else if (!/^postgres(ql)?:\/\/[^\s]+$/.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgresql:// connection string');
  }

  const migrations = text('DATABASE_MIGRATIONS') ?? 'apply-on-start';
  if (migrations !== 'apply-on-start' && migrations !== 'manual') {
    problems.push('DATABASE_MIGRATIONS must be apply-on-start or manual');
  }
  const embeddedPort = integer(
    text('EMBEDDED_POSTGRES_PORT') ?? '54329',
    'EMBEDDED_POSTGRES_PORT',
    1,
    65535,
    problems,
  );

  const metricsPort = integer(text('METRICS_PORT') ?? '9464', 'METRICS_PORT', 0, 65535, problems);
  if (metricsPort !== 0 && (metricsPort === port || metricsPort === grpcPort)) {
    problems.push('METRICS_PORT must differ from PORT and GRPC_PORT');
  }

  let encryptionKeys = text('ENCRYPTION_KEYS');
  if (encryptionKeys === undefined) {
    if (production) {
      problems.push(
        'ENCRYPTION_KEYS is required in production: id:base64(32 bytes)[,id:base64...] (e.g. "k1:$(openssl rand -base64 32)")',
      );
    } else {
      encryptionKeys = loadOrCreateDevEncryptionKey();
      warnOnce(
        `ENCRYPTION_KEYS is not set: using the DEVELOPMENT key in ${DEV_KEY_FILE}. ` +
          'Never use it for real credentials; set ENCRYPTION_KEYS (and NODE_ENV=production) in production.',
        { code: 'SERVICE_PLATFORM_DEV_KEY' },
      );
    }
  }
  if (encryptionKeys !== undefined) {
    try {
      KeyRing.parse(encryptionKeys);
    } catch (error) {
      problems.push(
        error instanceof InvalidKeyRingError ? error.message : 'ENCRYPTION_KEYS is invalid',
      );
    }
  }

  let jwtSecret = text('AUTH_JWT_SECRET');
  if (jwtSecret === undefined) {
    if (production) {
      problems.push(
        `AUTH_JWT_SECRET is required in production: at least ${MIN_JWT_SECRET_LENGTH} characters (e.g. "$(openssl rand -base64 48)")`,
      );
    } else {
      jwtSecret = loadOrCreateDevJwtSecret();
      warnOnce(
        `AUTH_JWT_SECRET is not set: using the DEVELOPMENT secret in ${DEV_JWT_SECRET_FILE}. ` +
          'Anyone who can read it can mint tokens; set AUTH_JWT_SECRET (and NODE_ENV=production) in production.',
        { code: 'SERVICE_PLATFORM_DEV_JWT_SECRET' },
      );
    }
  } else if (production && jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
    problems.push(
      `AUTH_JWT_SECRET must be at least ${MIN_JWT_SECRET_LENGTH} characters in production (e.g. "$(openssl rand -base64 48)")`,
    );
  }

  const maxTokenLifetime = duration(
    text('AUTH_MAX_TOKEN_LIFETIME') ?? '24h',
    'AUTH_MAX_TOKEN_LIFETIME',
    problems,
  );

  const corsOrigins = parseOrigins(text('CORS_ORIGINS'), problems);

  const rateLimit = integer(
    text('RATE_LIMIT_PER_MINUTE') ?? '600',
    'RATE_LIMIT_PER_MINUTE',
    1,
    1_000_000,
    problems,
  );

  const redisUrl = text('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379)');
  }
  const outboxRetention = integer(
    text('OUTBOX_RETENTION_HOURS') ?? '168',
    'OUTBOX_RETENTION_HOURS',
    1,
    24 * 365,
    problems,
  );

  const allowUnknown = text('CATALOG_ALLOW_UNKNOWN_SERVICES') ?? 'false';
  if (allowUnknown !== 'true' && allowUnknown !== 'false') {
    problems.push('CATALOG_ALLOW_UNKNOWN_SERVICES must be true or false');
  }
  const relayEnabled = text('OUTBOX_RELAY_ENABLED') ?? 'true';
  if (relayEnabled !== 'true' && relayEnabled !== 'false') {
    problems.push('OUTBOX_RELAY_ENABLED must be true or false');
  }

  const shutdownTimeout = integer(
    text('SHUTDOWN_TIMEOUT_MS') ?? '10000',
    'SHUTDOWN_TIMEOUT_MS',
    100,
    600_000,
    problems,
  );

  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    NODE_ENV: nodeEnv,
    PORT: port,
    GRPC_PORT: grpcPort,
    DATABASE_URL: databaseUrl,
    DATABASE_MIGRATIONS: migrations as Environment['DATABASE_MIGRATIONS'],
    EMBEDDED_POSTGRES_DIR: text('EMBEDDED_POSTGRES_DIR') ?? '.data/postgres',
    EMBEDDED_POSTGRES_PORT: embeddedPort,
    METRICS_PORT: metricsPort,
    METRICS_HOST: text('METRICS_HOST') ?? '127.0.0.1',
    DATABASE_POOL_SIZE: poolSize,
    DATABASE_QUERY_TIMEOUT_MS: queryTimeout,
    DATABASE_CONNECTION_TIMEOUT_MS: connectionTimeout,
    ENCRYPTION_KEYS: encryptionKeys as string,
    AUTH_JWT_SECRET: jwtSecret as string,
    AUTH_MAX_TOKEN_LIFETIME: maxTokenLifetime,
    CORS_ORIGINS: corsOrigins,
    RATE_LIMIT_PER_MINUTE: rateLimit,
    REDIS_URL: redisUrl,
    OUTBOX_RETENTION_HOURS: outboxRetention,
    OUTBOX_RELAY_ENABLED: relayEnabled !== 'false',
    CATALOG_ALLOW_UNKNOWN_SERVICES: allowUnknown === 'true',
    LOG_LEVEL: logLevel,
    SHUTDOWN_TIMEOUT_MS: shutdownTimeout,
    LOG_FILE: text('LOG_FILE'),
  };
}

function integer(
  value: string,
  name: string,
  min: number,
  max: number,
  problems: string[],
): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}`);
  }
  return parsed;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const MAX_DURATION_SECONDS = 365 * 86_400;

/** `90s`, `30m`, `24h`, `7d` or plain seconds (`3600`) → seconds, from 1 s to 365 days. */
function duration(value: string, name: string, problems: string[]): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value);
  const seconds =
    match === null ? Number.NaN : Number(match[1]) * (DURATION_UNITS[match[2] || 's'] ?? 1);
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_DURATION_SECONDS) {
    problems.push(`${name} must be a duration from 1s to 365d, e.g. 3600, 30m, 24h or 7d`);
  }
  return seconds;
}

/** `https://app.example.com,http://localhost:5173` → exact origins (scheme, host, optional port). */
function parseOrigins(value: string | undefined, problems: string[]): string[] {
  if (value === undefined) return [];
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (!isOrigin(origin)) {
      problems.push(
        `CORS_ORIGINS must list origins like https://app.example.com (scheme://host[:port], no path, no wildcard); '${origin}' is not one`,
      );
    }
  }
  return [...new Set(origins)];
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.origin === value &&
      /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname)
    );
  } catch {
    return false;
  }
}
