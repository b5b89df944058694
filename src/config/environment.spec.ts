import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevEncryptionKey } from './dev-encryption-key';
import { validateEnvironment } from './environment';

const key = Buffer.alloc(32, 5).toString('base64');
const jwtSecret = 'j'.repeat(32);
const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/app',
  ENCRYPTION_KEYS: `k1:${key}`,
  AUTH_JWT_SECRET: jwtSecret,
};

describe('validateEnvironment', () => {
  it('applies the contract defaults', () => {
    expect(validateEnvironment(base)).toEqual({
      NODE_ENV: 'development',
      PORT: 3000,
      GRPC_PORT: 5000,
      DATABASE_URL: base.DATABASE_URL,
      DATABASE_POOL_SIZE: 10,
      DATABASE_QUERY_TIMEOUT_MS: 10000,
      DATABASE_CONNECTION_TIMEOUT_MS: 5000,
      DATABASE_MIGRATIONS: 'apply-on-start',
      EMBEDDED_POSTGRES_DIR: '.data/postgres',
      EMBEDDED_POSTGRES_PORT: 54329,
      METRICS_PORT: 9464,
      METRICS_HOST: '127.0.0.1',
      ENCRYPTION_KEYS: base.ENCRYPTION_KEYS,
      AUTH_JWT_SECRET: jwtSecret,
      AUTH_MAX_TOKEN_LIFETIME: 86_400,
      CORS_ORIGINS: [],
      RATE_LIMIT_PER_MINUTE: 600,
      OUTBOX_RETENTION_HOURS: 168,
      OUTBOX_RELAY_ENABLED: true,
      CATALOG_ALLOW_UNKNOWN_SERVICES: false,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
  });

  it('leaves DATABASE_URL unset outside production (the embedded PostgreSQL), and checks the rest', () => {
    expect(validateEnvironment({ ...base, DATABASE_URL: undefined }).DATABASE_URL).toBeUndefined();
    expect(
      validateEnvironment({ ...base, DATABASE_MIGRATIONS: 'manual' }).DATABASE_MIGRATIONS,
    ).toBe('manual');
    expect(() => validateEnvironment({ ...base, DATABASE_MIGRATIONS: 'sometimes' })).toThrow(
      /DATABASE_MIGRATIONS must be apply-on-start or manual/,
    );
    expect(() => validateEnvironment({ ...base, EMBEDDED_POSTGRES_PORT: '0' })).toThrow(
      /EMBEDDED_POSTGRES_PORT/,
    );
  });

  it('takes REDIS_URL as redis:// or rediss://, and refuses anything else', () => {
    expect(validateEnvironment({ ...base, REDIS_URL: 'redis://cache:6379/1' }).REDIS_URL).toBe(
      'redis://cache:6379/1',
    );
    expect(validateEnvironment({ ...base, REDIS_URL: 'rediss://cache:6380' }).REDIS_URL).toBe(
      'rediss://cache:6380',
    );
    expect(() => validateEnvironment({ ...base, REDIS_URL: 'http://cache' })).toThrow(
      /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    );
    expect(() => validateEnvironment({ ...base, OUTBOX_RETENTION_HOURS: '0' })).toThrow(
      /OUTBOX_RETENTION_HOURS/,
    );
    expect(
      validateEnvironment({ ...base, OUTBOX_RELAY_ENABLED: 'false' }).OUTBOX_RELAY_ENABLED,
    ).toBe(false);
    expect(() => validateEnvironment({ ...base, OUTBOX_RELAY_ENABLED: 'no' })).toThrow(
      /OUTBOX_RELAY_ENABLED must be true or false/,
    );
    expect(
      validateEnvironment({ ...base, CATALOG_ALLOW_UNKNOWN_SERVICES: 'true' })
        .CATALOG_ALLOW_UNKNOWN_SERVICES,
    ).toBe(true);
    expect(() => validateEnvironment({ ...base, CATALOG_ALLOW_UNKNOWN_SERVICES: '1' })).toThrow(
      /CATALOG_ALLOW_UNKNOWN_SERVICES must be true or false/,
    );
  });

  it('refuses to start in production without ENCRYPTION_KEYS, saying how to make one', () => {
    expect(() =>
      validateEnvironment({ ...base, ENCRYPTION_KEYS: undefined, NODE_ENV: 'production' }),
    ).toThrow(/ENCRYPTION_KEYS is required in production/);
  });

  it('refuses an invalid key ring without echoing it', () => {
    const bad = `k1:${Buffer.alloc(16, 1).toString('base64')}`;
    let message = '';
    try {
      validateEnvironment({ ...base, ENCRYPTION_KEYS: bad, NODE_ENV: 'production' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/key 'k1' must be 32 random bytes/);
    expect(message).not.toContain(bad.slice(3));
  });

  it('lists every problem at once', () => {
    expect(() =>
      validateEnvironment({
        PORT: '70000',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        ENCRYPTION_KEYS: `k1:${key}`,
        AUTH_JWT_SECRET: jwtSecret,
      }),
    ).toThrow(/PORT must be[\s\S]*DATABASE_URL must be[\s\S]*LOG_LEVEL must be/);
    expect(() =>
      validateEnvironment({
        NODE_ENV: 'production',
        ENCRYPTION_KEYS: `k1:${key}`,
        AUTH_JWT_SECRET: jwtSecret,
      }),
    ).toThrow(/DATABASE_URL is required in production/);
  });

  it('reads GRPC_PORT (default 5000), a port other than PORT', () => {
    expect(validateEnvironment({ ...base, GRPC_PORT: '50051' }).GRPC_PORT).toBe(50051);
    expect(() => validateEnvironment({ ...base, GRPC_PORT: '0' })).toThrow(
      /GRPC_PORT must be an integer from 1 to 65535/,
    );
    expect(() => validateEnvironment({ ...base, GRPC_PORT: 'grpc' })).toThrow(/GRPC_PORT must be/);
    expect(() => validateEnvironment({ ...base, PORT: '5000' })).toThrow(
      /GRPC_PORT must differ from PORT/,
    );
  });
});

describe('loadOrCreateDevEncryptionKey', () => {
  it('creates a valid key ring once (mode 0600) and reuses it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sp-key-')), '.data', 'dev-key');
    const first = loadOrCreateDevEncryptionKey(file);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateDevEncryptionKey(file)).toBe(first);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(validateEnvironment({ ...base, ENCRYPTION_KEYS: first }).ENCRYPTION_KEYS).toBe(first);
  });
});
