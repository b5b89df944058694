import { Test, type TestingModule } from '@nestjs/testing';
import {
  ServicePlatformModule,
  ServicePlatformService,
  type Actor,
  type ServiceDefinition,
} from '../../src/service-platform';
import { newTenantId } from '../support/fixtures';
import { ThrowAwayRedis } from '../support/redis-server';
import { describeWithRedis } from '../support/suite-requirements';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';

const CANARY = 'db.internal-canary';

/** A host service whose `api_host` was public, then declared secret (a catalog tightening). */
function acme(apiHostPublic: boolean): ServiceDefinition {
  return {
    name: 'acme-crm',
    displayName: 'Acme CRM',
    docs: [],
    config: {
      client_id: { schema: { type: 'string' }, public: true },
      client_secret: { schema: { type: 'string' } },
    },
    additional_data: { api_host: { schema: { type: 'string' }, public: apiHostPublic } },
  };
}

/**
 * The catalog changes between two instances (a restart with a tightened definition): what was
 * stored under the old rules must be shown by the new ones. Found in review: the Redis read cache
 * (1 h) and idempotent replays (24 h) answered old views as stored, a field declared secret since
 * then in clear.
 */
describeWithRedis('a tightened catalog applies to stored views (real PostgreSQL and Redis)', () => {
  let database: OwnDatabase;
  let redis: ThrowAwayRedis;
  const modules: TestingModule[] = [];

  async function instance(apiHostPublic: boolean): Promise<ServicePlatformService> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ServicePlatformModule.forRoot({
          database: { url: database.url, poolSize: 2 },
          encryption: { keys: process.env.ENCRYPTION_KEYS as string },
          redis: { url: redis.url },
          catalog: { services: [acme(apiHostPublic)] },
          http: { enabled: false },
          grpc: { enabled: false },
        }),
      ],
    }).compile();
    await moduleRef.init();
    modules.push(moduleRef);
    return moduleRef.get(ServicePlatformService);
  }

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_tighten');
    redis = await ThrowAwayRedis.start();
  }, 60_000);

  afterAll(async () => {
    for (const moduleRef of modules.reverse()) await moduleRef.close();
    await redis?.stop();
    await dropDatabase(database);
  });

  it('the Redis view, a list of it and an idempotent replay are shown by the new rules', async () => {
    const tenantId = newTenantId();
    const actor: Actor = { id: 'host', tenantId, roles: ['tenant-admin'] };
    const request = {
      tenant_id: tenantId,
      service_name: 'acme-crm',
      config: { client_id: 'c', client_secret: 's', additional_data: { api_host: CANARY } },
    };
    const loose = await instance(true);
    const created = await loose.registerPlatform(request, actor, {
      idempotencyKey: 'register-1',
    });
    expect(created.platform.config).toMatchObject({ additional_data: { api_host: CANARY } });
    // Read once: the view (api_host in clear, as the rules then said) goes to Redis.
    const id = created.platform.id;
    expect(JSON.stringify(await loose.getPlatform({ platform_id: id }, actor))).toContain(CANARY);

    const tight = await instance(false);
    const read = await tight.getPlatform({ platform_id: id }, actor);
    expect(read.config).toMatchObject({
      client_id: 'c',
      additional_data: { api_host: '********' },
    });
    // The list takes the same cached view (now in this instance's memory too) for its row.
    const listed = await tight.listPlatforms({ tenant_id: tenantId }, actor);
    expect(listed.platforms.map((p) => p.id)).toEqual([id]);
    expect(JSON.stringify(listed)).not.toContain(CANARY);
    const replayed = await tight.registerPlatform(request, actor, {
      idempotencyKey: 'register-1',
    });
    expect(replayed.platform.id).toBe(id);
    expect(JSON.stringify(replayed)).not.toContain(CANARY);
    expect(JSON.stringify(read)).not.toContain(CANARY);
  });
});
