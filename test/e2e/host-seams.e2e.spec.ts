import {
  Injectable,
  Module,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import { CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { Client, Pool } from 'pg';
import request from 'supertest';
import {
  PlatformRegisteredEvent,
  ServicePlatformModule,
  ServicePlatformService,
  type Actor,
  type RegisterPlatformRequest,
} from '../../src/service-platform';
import type { ServicePlatformForRootOptions } from '../../src/service-platform/service-platform.module-definition';
import { LOCAL_VIEW_CACHE } from '../../src/service-platform/infrastructure/cache/platform-view-cache.modules';
import { EventSubscriber } from '../support/event-subscriber';
import { newTenantId, validConfig } from '../support/fixtures';
import {
  createDatabase,
  createMigratedDatabase,
  dropDatabase,
  type OwnDatabase,
} from '../support/own-database';
import { ThrowAwayRedis } from '../support/redis-server';
import { describeWithRedis } from '../support/suite-requirements';

const url = process.env.DATABASE_URL as string;
const keys = process.env.ENCRYPTION_KEYS as string;

/** The host's own user shape: not the contract's claims. */
interface HostUser {
  userId: string;
  organisation: string;
  permissions: string[];
}

/** The host's own authentication: an API key per user, put on `request.user`. */
const API_KEYS = new Map<string, HostUser>();

@Injectable()
class HostApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string>; user?: unknown }>();
    const user = API_KEYS.get(req.headers['x-api-key'] ?? '');
    if (user !== undefined) req.user = user;
    return true;
  }
}

/** The host's mapping of its users to the module's actor. */
function hostActor(user: unknown): Actor | undefined {
  if (user === undefined) return undefined;
  const { userId, organisation, permissions } = user as HostUser;
  if (organisation === 'explode') throw new Error('directory lookup failed for ' + userId);
  return {
    id: userId,
    tenantId: organisation,
    roles: permissions.includes('platforms:write') ? ['tenant-admin'] : ['tenant-viewer'],
  };
}

interface Seen {
  readonly eventId: string;
  readonly platformId: string;
  /** Whether the platform's row was committed when the handler ran. */
  readonly committed: boolean;
}

const seen: Seen[] = [];
/** The database the handler looks in (the one its app writes to). */
let handlerDatabaseUrl = url;

/** The host's own handler of the module's event, on the host's own CQRS bus. */
@EventsHandler(PlatformRegisteredEvent)
class HostRegisteredHandler implements IEventHandler<PlatformRegisteredEvent> {
  async handle(event: PlatformRegisteredEvent): Promise<void> {
    const db = new Client({ connectionString: handlerDatabaseUrl });
    await db.connect();
    try {
      const { rowCount } = await db.query('SELECT 1 FROM service_platforms WHERE id = $1', [
        event.platformId,
      ]);
      seen.push({
        eventId: event.eventId,
        platformId: event.platformId,
        committed: rowCount === 1,
      });
    } finally {
      await db.end();
    }
  }
}

async function hostApp(
  options: Partial<ServicePlatformForRootOptions>,
  cqrs: DynamicModule | undefined = CqrsModule.forRoot(),
): Promise<INestApplication> {
  @Module({
    imports: [
      ...(cqrs === undefined ? [] : [cqrs]),
      ServicePlatformModule.forRoot({
        database: { url },
        encryption: { keys },
        resolveActor: hostActor,
        ...options,
      }),
    ],
    providers: [{ provide: APP_GUARD, useClass: HostApiKeyGuard }, HostRegisteredHandler],
  })
  class HostModule {}
  const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

function writer(tenant: string): string {
  const key = `writer-${tenant}`;
  API_KEYS.set(key, {
    userId: `u-${tenant}`,
    organisation: tenant,
    permissions: ['platforms:write'],
  });
  return key;
}

/** A valid config of a built-in service, typed as the facade takes it. */
const hostConfig = (service: string) => validConfig(service) as RegisterPlatformRequest['config'];

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

describe('host seams', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  const start = async (...args: Parameters<typeof hostApp>): Promise<INestApplication> => {
    const app = await hostApp(...args);
    apps.push(app);
    return app;
  };

  describe('resolveActor maps the host user to the actor', () => {
    it('a host user with its own shape registers and reads its platform', async () => {
      const app = await start({});
      const tenant = newTenantId();
      const created = await request(app.getHttpServer())
        .post('/platforms')
        .set('x-api-key', writer(tenant))
        .send({ tenant_id: tenant, service_name: 'outlook', config: hostConfig('outlook') })
        .expect(201);
      const body = created.body as { platform: { id: string; tenant_id: string } };
      expect(body.platform.tenant_id).toBe(tenant);
      const readerKey = `reader-${tenant}`;
      API_KEYS.set(readerKey, { userId: 'r', organisation: tenant, permissions: [] });
      await request(app.getHttpServer())
        .get(`/platforms/${body.platform.id}`)
        .set('x-api-key', readerKey)
        .expect(200);
      // A viewer may not write.
      await request(app.getHttpServer())
        .post('/platforms')
        .set('x-api-key', readerKey)
        .send({ tenant_id: tenant, service_name: 'gmail', config: hostConfig('gmail') })
        .expect(403);
    });

    it('no user, a resolver that throws or an actor with a bad tenant: 401, nothing leaked', async () => {
      const app = await start({});
      await request(app.getHttpServer()).get('/platforms').expect(401);
      API_KEYS.set('explode', {
        userId: 'secret-user-7',
        organisation: 'explode',
        permissions: [],
      });
      const thrown = await request(app.getHttpServer())
        .get('/platforms')
        .set('x-api-key', 'explode')
        .expect(401);
      expect(JSON.stringify(thrown.body)).not.toContain('secret-user-7');
      expect(JSON.stringify(thrown.body)).not.toContain('directory lookup');
      API_KEYS.set('bad-tenant', { userId: 'x', organisation: 'acme', permissions: [] });
      await request(app.getHttpServer())
        .get('/platforms')
        .set('x-api-key', 'bad-tenant')
        .expect(401);
    });
  });

  describe('http: { enabled: false }', () => {
    it('registers no route, and the facade still works', async () => {
      const app = await start({ http: { enabled: false } });
      const tenant = newTenantId();
      await request(app.getHttpServer())
        .get('/platforms')
        .set('x-api-key', writer(tenant))
        .expect(404);
      await request(app.getHttpServer()).get('/services').expect(404);
      const facade = app.get(ServicePlatformService);
      const actor: Actor = { id: 'in-process', tenantId: tenant, roles: ['tenant-admin'] };
      const { platform } = await facade.registerPlatform(
        { tenant_id: tenant, service_name: 'slack', config: hostConfig('slack') },
        actor,
      );
      expect((await facade.getPlatform({ platform_id: platform.id }, actor)).id).toBe(platform.id);
    });

    it('grpc: { enabled: false } declares no gRPC controller, and both off declare none', () => {
      const base = { database: { url }, encryption: { keys } };
      const names = (module: DynamicModule): string[] =>
        (module.controllers ?? []).map((controller) => (controller as { name: string }).name);
      expect(names(ServicePlatformModule.forRoot(base)).sort()).toEqual([
        'PlatformsController',
        'PlatformsGrpcController',
        'ServicesController',
        'ServicesGrpcController',
      ]);
      expect(
        names(ServicePlatformModule.forRoot({ ...base, grpc: { enabled: false } })).sort(),
      ).toEqual(['PlatformsController', 'ServicesController']);
      const asyncOff = ServicePlatformModule.forRootAsync({
        useFactory: () => base,
        http: { enabled: false },
        grpc: { enabled: false },
      });
      expect(names(asyncOff)).toEqual([]);
    });
  });

  describe('the read cache on @nestjs/cache-manager', () => {
    it("runs the host's async options factory once, and leaves the host's CACHE_MANAGER alone", async () => {
      let factoryCalls = 0;
      @Module({
        imports: [
          // Global, as hosts usually register it: the module must still use its own caches.
          CacheModule.register({ ttl: 60_000, isGlobal: true }),
          ServicePlatformModule.forRootAsync({
            useFactory: () => {
              factoryCalls++;
              return { database: { url }, encryption: { keys }, resolveActor: hostActor };
            },
          }),
        ],
        providers: [{ provide: APP_GUARD, useClass: HostApiKeyGuard }],
      })
      class CachingHostModule {}
      const moduleRef = await Test.createTestingModule({ imports: [CachingHostModule] }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      apps.push(app);
      expect(factoryCalls).toBe(1);

      const tenant = newTenantId();
      const actor: Actor = { id: 'host', tenantId: tenant, roles: ['tenant-admin'] };
      const facade = app.get(ServicePlatformService);
      const { platform } = await facade.registerPlatform(
        { tenant_id: tenant, service_name: 'slack', config: hostConfig('slack') },
        actor,
      );
      // The module's memory tier is a CacheModule cache of its own, holding the view once read
      // (the tier is in use once the change feed listens, moments after start-up)...
      const local = app.get<Cache>(LOCAL_VIEW_CACHE, { strict: false });
      const deadline = Date.now() + 10_000;
      while ((await local.get(platform.id)) === undefined && Date.now() < deadline) {
        await facade.getPlatform({ platform_id: platform.id }, actor);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await local.get(platform.id)).toMatchObject({ v: platform.version });
      // ...and the host's CACHE_MANAGER (as the host's own module sees it) is another cache,
      // which got nothing.
      const hostCache = moduleRef.select(CachingHostModule).get<Cache>(CACHE_MANAGER);
      expect(hostCache).not.toBe(local);
      expect(await hostCache.get(platform.id)).toBeUndefined();
    });
  });

  describe("the host's own CqrsModule.forRoot() and @EventsHandler", () => {
    // A database of its own: an event reaches the handlers of the instance whose relay dispatches
    // it, and other suites' apps relay the run's shared database too.
    let own: OwnDatabase;
    beforeAll(async () => {
      own = await createMigratedDatabase('sp_host_cqrs');
      handlerDatabaseUrl = own.url;
    });
    afterAll(async () => {
      handlerDatabaseUrl = url;
      await dropDatabase(own);
    });

    it.each([
      ['CqrsModule.forRoot()', CqrsModule.forRoot()],
      ['CqrsModule.forRoot(options of its own)', CqrsModule.forRoot({ rethrowUnhandled: false })],
    ])('with %s, the handler gets each change event once, after commit', async (_label, cqrs) => {
      const app = await start({ database: { url: own.url } }, cqrs);
      const tenant = newTenantId();
      const facade = app.get(ServicePlatformService);
      const actor: Actor = { id: 'in-process', tenantId: tenant, roles: ['tenant-admin'] };
      const { platform } = await facade.registerPlatform(
        { tenant_id: tenant, service_name: 'zendesk', config: hostConfig('zendesk') },
        actor,
      );
      await until(() => seen.some((s) => s.platformId === platform.id));
      // Time for a second delivery to show up, if there were one.
      await new Promise((r) => setTimeout(r, 500));
      const mine = seen.filter((s) => s.platformId === platform.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.committed).toBe(true);
    });
  });

  describeWithRedis('database: { pool } and redis: { client } of the host', () => {
    let redisServer: ThrowAwayRedis;
    // A database of its own: the event must be relayed by this app, to this Redis (other suites'
    // apps relay the run's shared database to theirs).
    let own: OwnDatabase;
    beforeAll(async () => {
      redisServer = await ThrowAwayRedis.start();
      own = await createMigratedDatabase('sp_host_pool');
    });
    afterAll(async () => {
      await redisServer?.stop();
      await dropDatabase(own);
    });

    it('runs on them, names its own connections, and closes neither', async () => {
      const hostPool = new Pool({
        connectionString: own.url,
        max: 4,
        application_name: 'host-app',
      });
      const hostRedis = new Redis(redisServer.url);
      const witness = await EventSubscriber.start(redisServer.url);
      try {
        const app = await hostApp({
          database: { pool: hostPool },
          redis: { client: hostRedis },
        });
        const tenant = newTenantId();
        const { platform } = await app
          .get(ServicePlatformService)
          .registerPlatform(
            { tenant_id: tenant, service_name: 'hubspot', config: hostConfig('hubspot') },
            { id: 'host', tenantId: tenant, roles: ['tenant-admin'] },
          );
        await until(() => witness.received.some((e) => e.data.platform_id === platform.id));
        expect(witness.received.filter((e) => e.data.platform_id === platform.id)).toHaveLength(1);

        // The module's own connections (LISTEN) carry its application_name.
        const { rows } = await hostPool.query<{ application_name: string }>(
          `SELECT DISTINCT application_name FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'service-platform%'`,
        );
        expect(rows.map((r) => r.application_name)).toContain('service-platform');

        await app.close();
        // The host's pool and client are still the host's, open and working.
        expect((await hostPool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
        expect(await hostRedis.ping()).toBe('PONG');
      } finally {
        witness.close();
        hostRedis.disconnect();
        await hostPool.end();
      }
    });

    it('with database.url, every connection it opens carries its application_name', async () => {
      const app = await start({ database: { url, applicationName: 'sp-seams-test' } });
      const tenant = newTenantId();
      await app
        .get(ServicePlatformService)
        .listPlatforms(
          { tenant_id: tenant },
          { id: 'host', tenantId: tenant, roles: ['tenant-admin'] },
        );
      const db = new Client({ connectionString: url });
      await db.connect();
      try {
        const { rows } = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'sp-seams-test'`,
        );
        expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(2); // the pool's and the LISTEN one
      } finally {
        await db.end();
      }
    });
  });
  describe("migrations: 'apply-on-start'", () => {
    it('instances starting together on an empty database apply each migration once', async () => {
      const scratch = await createDatabase('sp_apply_on_start');
      const plain = new URL(scratch.url);
      plain.searchParams.delete('options');
      try {
        const options = {
          database: { url: plain.toString(), schema: 'platforms_of_host' },
          migrations: 'apply-on-start' as const,
        };
        const [a, b] = await Promise.all([start(options), start(options)]);
        const tenant = newTenantId();
        const actor: Actor = { id: 'host', tenantId: tenant, roles: ['tenant-admin'] };
        const { platform } = await a
          .get(ServicePlatformService)
          .registerPlatform(
            { tenant_id: tenant, service_name: 'slack', config: hostConfig('slack') },
            actor,
          );
        expect(
          (await b.get(ServicePlatformService).getPlatform({ platform_id: platform.id }, actor)).id,
        ).toBe(platform.id);
        const db = new Client({ connectionString: plain.toString() });
        await db.connect();
        try {
          const { rows } = await db.query<{ migration_name: string; n: string }>(
            `SELECT migration_name, count(*) AS n FROM platforms_of_host._prisma_migrations
              GROUP BY migration_name`,
          );
          expect(rows.length).toBeGreaterThanOrEqual(4);
          expect(rows.every((row) => row.n === '1')).toBe(true);
        } finally {
          await db.end();
        }
      } finally {
        await Promise.all(apps.splice(0).map((app) => app.close()));
        await dropDatabase(scratch);
      }
    });
  });
});
