import { parseRotateKeysCommand, UsageError } from './rotate-keys.args';

const key = Buffer.alloc(32, 5).toString('base64');
const env = { DATABASE_URL: 'postgresql://u@localhost:5432/db', ENCRYPTION_KEYS: `k2:${key}` };

describe('parseRotateKeysCommand', () => {
  it('reads the flags and the two environment variables', () => {
    expect(parseRotateKeysCommand(['--reencrypt', '--batch-size', '250'], env)).toEqual({
      help: false,
      reencrypt: true,
      batchSize: 250,
      databaseUrl: env.DATABASE_URL,
      schema: 'service_platform',
      encryptionKeys: env.ENCRYPTION_KEYS,
    });
    expect(parseRotateKeysCommand([], env)).toMatchObject({ reencrypt: false, batchSize: 100 });
  });

  it('finds the schema in --schema, DATABASE_SCHEMA or the URL, in that order', () => {
    const withParam = { ...env, DATABASE_URL: `${env.DATABASE_URL}?schema=from_url` };
    expect(parseRotateKeysCommand([], withParam)).toMatchObject({
      databaseUrl: env.DATABASE_URL,
      schema: 'from_url',
    });
    const withEnv = { ...withParam, DATABASE_SCHEMA: 'from_env' };
    expect(parseRotateKeysCommand([], withEnv).schema).toBe('from_env');
    expect(parseRotateKeysCommand(['--schema', 'from_flag'], withEnv).schema).toBe('from_flag');
  });

  it('needs no environment for --help', () => {
    expect(parseRotateKeysCommand(['--help'], {}).help).toBe(true);
  });

  it.each([
    [['--batch-size', '0'], env, '--batch-size must be an integer from 1 to 1000'],
    [['--batch-size', 'x'], env, '--batch-size must be an integer from 1 to 1000'],
    [['--force'], env, "Unknown option '--force'"],
    [[], { ENCRYPTION_KEYS: env.ENCRYPTION_KEYS }, 'DATABASE_URL is required'],
    [[], { ...env, DATABASE_URL: 'mysql://x' }, 'PostgreSQL only'],
    [[], { DATABASE_URL: env.DATABASE_URL }, 'ENCRYPTION_KEYS is required'],
  ])('rejects %j with a clear message', (argv, environment, message) => {
    expect(() => parseRotateKeysCommand(argv, environment)).toThrow(UsageError);
    expect(() => parseRotateKeysCommand(argv, environment)).toThrow(message);
  });

  it('never echoes key material', () => {
    const material = Buffer.alloc(31, 7).toString('base64');
    expect(() => parseRotateKeysCommand([], { ...env, ENCRYPTION_KEYS: `k1:${material}` })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(material) as string }),
    );
  });
});
