import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { newTenantId } from '../support/fixtures';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';
import { ThrowAwayRedis } from '../support/redis-server';
import { API, http, registerPlatform, startListeningApp } from './e2e-helpers';
import { viewEntryInRedis } from '../support/redis-view';
import { describeWithRedis } from '../support/suite-requirements';

/**
 * A change nobody told Redis about: the only instance dies after its commit and before it
 * refreshed Redis (here: it is stopped, and the change is made in SQL while no instance
 * listens). The next instance to start must not answer the old view Redis still holds.
 */
describeWithRedis('read cache: catching up with changes nobody told Redis about', () => {
  let database: OwnDatabase;
  let redis: ThrowAwayRedis;
  let witness: Redis;
  let sql: Client;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    database = await createMigratedDatabase('catchup');
    redis = await ThrowAwayRedis.start();
    witness = new Redis(redis.url);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    witness?.disconnect();
    await sql?.end();
    await redis?.stop();
    if (database !== undefined) await dropDatabase(database);
  });

  const start = () =>
    startListeningApp('fastify', { DATABASE_URL: database.url, REDIS_URL: redis.url });

  async function versionInRedis(id: string): Promise<number> {
    return (await viewEntryInRedis(witness, id))?.v ?? Number.NaN;
  }

  it('the next instance to start drops the old view from Redis and answers the new one', async () => {
    app = await start();
    const { platform } = await registerPlatform(app, newTenantId());
    expect((await http(app).get(`${API}/${platform.id}`)).body).toMatchObject({ version: 1 });
    expect(await versionInRedis(platform.id)).toBe(1);
    await app.close();
    app = undefined;

    await sql.query(
      'UPDATE service_platforms SET is_active = false, version = version + 1, updated_at = now() WHERE id = $1',
      [platform.id],
    );
    expect(await versionInRedis(platform.id)).toBe(1); // nobody told Redis

    app = await start();
    const first = await http(app).get(`${API}/${platform.id}`);
    expect(first.body).toMatchObject({ version: 2, is_active: false });
    const deadline = Date.now() + 10_000;
    while ((await versionInRedis(platform.id)) === 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await versionInRedis(platform.id)).not.toBe(1);
    const health = await http(app).get('/health/ready');
    expect(health.body.details.cache).toMatchObject({ redis: 'up', pending_invalidations: 0 });
  });
});
