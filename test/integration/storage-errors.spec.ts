import { createServer } from 'node:net';
import { ServiceUnavailableError } from '../../src/service-platform/domain/platform.errors';
import { asWriteRefusal } from '../../src/service-platform/infrastructure/crypto/prisma-master-key-registry';
import { PrismaService } from '../../src/service-platform/infrastructure/persistence/prisma.service';
import { translateStorageError } from '../../src/service-platform/infrastructure/persistence/prisma-error.mapper';

/**
 * What the module's Prisma 7 client (driver adapter `pg`) throws when the database cannot be reached, for model
 * queries and raw ones, taken from a real client. Found in review: a raw query's failure
 * (P2010 wrapping the adapter's `DatabaseNotReachable`) was not recognised, and the key-ring
 * check before every write passed it on untranslated: writes answered 500 instead of 503 once
 * the last successful check was more than 5 s old.
 */
describe('storage errors of an unreachable database (real Prisma client)', () => {
  let closedPort: number;
  let client: PrismaService;

  beforeAll(async () => {
    // A port nothing listens on: take one, then free it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    client = new PrismaService({
      database: { url: `postgresql://postgres@127.0.0.1:${closedPort}/none`, poolSize: 1 },
      encryption: { keys: process.env.ENCRYPTION_KEYS as string },
    });
  });

  afterAll(async () => {
    await client.onApplicationShutdown();
  });

  const failureOf = (query: Promise<unknown>): Promise<unknown> =>
    query.then(
      () => {
        throw new Error('the query succeeded');
      },
      (error: unknown) => error,
    );

  it('a raw query: 503, and so is the key-ring check before a write', async () => {
    const error = await failureOf(client.$queryRaw`SELECT 1`);
    expect(translateStorageError(error)).toBeInstanceOf(ServiceUnavailableError);
    expect(asWriteRefusal(error)).toBeInstanceOf(ServiceUnavailableError);
  });

  it('a model query: 503', async () => {
    const error = await failureOf(client.masterKey.findMany());
    expect(translateStorageError(error)).toBeInstanceOf(ServiceUnavailableError);
  });

  it('an error that is not about reaching the database stays what it was', () => {
    const bug = new TypeError('x is not a function');
    expect(translateStorageError(bug)).toBe(bug);
    expect(asWriteRefusal(bug)).toBe(bug);
  });
});
