import { rotateKeysModuleOptions } from './rotate-keys.module-options';

describe('rotateKeysModuleOptions', () => {
  it('runs the module without an outbox relay (it would complete events unpublished)', () => {
    const options = rotateKeysModuleOptions({
      databaseUrl: 'postgresql://db/app',
      encryptionKeys: 'k1:x',
      help: false,
      reencrypt: false,
      batchSize: 100,
    });
    expect(options.events?.relay?.enabled).toBe(false);
    expect(options.events?.redisUrl).toBeUndefined();
    expect(options.database).toMatchObject({ url: 'postgresql://db/app', queryTimeoutMs: 30_000 });
  });
});
