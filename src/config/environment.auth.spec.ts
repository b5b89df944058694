import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevJwtSecret } from './dev-jwt-secret';
import { MIN_JWT_SECRET_LENGTH, validateEnvironment } from './environment';

// The development secret would otherwise be written to ./.data/ of the repository.
jest.mock('./dev-jwt-secret', () => ({
  ...jest.requireActual<typeof import('./dev-jwt-secret')>('./dev-jwt-secret'),
  loadOrCreateDevJwtSecret: jest.fn(() => 'generated-dev-secret'),
}));

const { loadOrCreateDevJwtSecret: realLoadOrCreate } =
  jest.requireActual<typeof import('./dev-jwt-secret')>('./dev-jwt-secret');

const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/app',
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 5).toString('base64')}`,
};
const strong = 's'.repeat(MIN_JWT_SECRET_LENGTH);

/** The message of the error `run` throws ('' if none). */
function problemsOf(run: () => unknown): string {
  try {
    run();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('validateEnvironment: AUTH_JWT_SECRET', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    jest.mocked(loadOrCreateDevJwtSecret).mockClear();
  });
  afterEach(() => warn.mockRestore());

  it('is used as given (surrounding whitespace ignored)', () => {
    const env = validateEnvironment({ ...base, AUTH_JWT_SECRET: `  ${strong}\n` });
    expect(env.AUTH_JWT_SECRET).toBe(strong);
    expect(loadOrCreateDevJwtSecret).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalledWith(expect.anything(), expect.anything());
  });

  it('unset in production: refuses to start, saying how to make one', () => {
    const message = problemsOf(() => validateEnvironment({ ...base, NODE_ENV: 'production' }));
    expect(message).toMatch(/AUTH_JWT_SECRET is required in production: at least 32 characters/);
    expect(message).toMatch(/openssl rand/);
    expect(loadOrCreateDevJwtSecret).not.toHaveBeenCalled();
  });

  it('blank counts as unset', () => {
    expect(
      problemsOf(() =>
        validateEnvironment({ ...base, NODE_ENV: 'production', AUTH_JWT_SECRET: '   ' }),
      ),
    ).toMatch(/AUTH_JWT_SECRET is required in production/);
  });

  it('in production: at least 32 characters, and the value is never echoed', () => {
    const short = 'short-but-secret-value-31-chars';
    expect(short).toHaveLength(31);
    const message = problemsOf(() =>
      validateEnvironment({ ...base, NODE_ENV: 'production', AUTH_JWT_SECRET: short }),
    );
    expect(message).toMatch(/AUTH_JWT_SECRET must be at least 32 characters in production/);
    expect(message).not.toContain(short);
    expect(
      validateEnvironment({ ...base, NODE_ENV: 'production', AUTH_JWT_SECRET: strong })
        .AUTH_JWT_SECRET,
    ).toBe(strong);
  });

  it('outside production a short secret is accepted (tests, local experiments)', () => {
    expect(validateEnvironment({ ...base, AUTH_JWT_SECRET: 'dev' }).AUTH_JWT_SECRET).toBe('dev');
  });

  it.each(['development', 'test', 'staging'])(
    'unset with NODE_ENV=%s: the generated development secret, with a loud warning',
    (nodeEnv) => {
      const env = validateEnvironment({ ...base, NODE_ENV: nodeEnv });
      expect(env.AUTH_JWT_SECRET).toBe('generated-dev-secret');
      expect(loadOrCreateDevJwtSecret).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /AUTH_JWT_SECRET is not set: using the DEVELOPMENT secret in .*dev-jwt-secret/,
        ),
        { code: 'SERVICE_PLATFORM_DEV_JWT_SECRET' },
      );
    },
  );

  it('problems are reported together with the others', () => {
    expect(
      problemsOf(() =>
        validateEnvironment({ ...base, NODE_ENV: 'production', PORT: '0', ENCRYPTION_KEYS: '' }),
      ),
    ).toMatch(/PORT must be[\s\S]*ENCRYPTION_KEYS is required[\s\S]*AUTH_JWT_SECRET is required/);
  });
});

describe('validateEnvironment: CORS_ORIGINS and RATE_LIMIT_PER_MINUTE', () => {
  const env = (extra: Record<string, string>) =>
    validateEnvironment({ ...base, AUTH_JWT_SECRET: strong, ...extra });

  it('CORS is off by default', () => {
    expect(env({}).CORS_ORIGINS).toEqual([]);
    expect(env({ CORS_ORIGINS: ' , ' }).CORS_ORIGINS).toEqual([]);
  });

  it('CORS_ORIGINS: a comma-separated list of exact origins, de-duplicated', () => {
    expect(
      env({
        CORS_ORIGINS: 'https://app.example.com, http://localhost:5173,https://app.example.com',
      }).CORS_ORIGINS,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it.each([
    '*',
    'app.example.com',
    'https://app.example.com/',
    'https://app.example.com/x',
    'ftp://a.b',
    'https://*.example.com',
  ])('CORS_ORIGINS refuses %j', (origin) => {
    expect(problemsOf(() => env({ CORS_ORIGINS: origin }))).toMatch(
      /CORS_ORIGINS must list origins like https:\/\/app\.example\.com/,
    );
  });

  it('RATE_LIMIT_PER_MINUTE: default 600, an integer from 1', () => {
    expect(env({}).RATE_LIMIT_PER_MINUTE).toBe(600);
    expect(env({ RATE_LIMIT_PER_MINUTE: '5' }).RATE_LIMIT_PER_MINUTE).toBe(5);
    for (const bad of ['0', '-1', '1.5', 'lots', '1000001']) {
      expect(problemsOf(() => env({ RATE_LIMIT_PER_MINUTE: bad }))).toMatch(
        /RATE_LIMIT_PER_MINUTE must be an integer from 1 to 1000000/,
      );
    }
  });
});

describe('loadOrCreateDevJwtSecret', () => {
  const tempFile = (): string =>
    join(mkdtempSync(join(tmpdir(), 'sp-jwt-')), '.data', 'dev-jwt-secret');

  it('creates a strong secret once (mode 0600) and reuses it', () => {
    const file = tempFile();
    const first = realLoadOrCreate(file);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(first.length).toBeGreaterThanOrEqual(MIN_JWT_SECRET_LENGTH);
    expect(realLoadOrCreate(file)).toBe(first);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
  });

  it('refuses an empty file rather than silently replacing it', () => {
    const file = tempFile();
    realLoadOrCreate(file);
    writeFileSync(file, '\n');
    expect(() => realLoadOrCreate(file)).toThrow(/is empty: delete it/);
  });
});
