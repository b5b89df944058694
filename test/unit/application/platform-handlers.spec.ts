import { randomUUID } from 'node:crypto';
import { ActivatePlatformCommand } from '../../../src/service-platform/application/commands/activate-platform/activate-platform.command';
import { ActivatePlatformHandler } from '../../../src/service-platform/application/commands/activate-platform/activate-platform.handler';
import { DeactivatePlatformCommand } from '../../../src/service-platform/application/commands/deactivate-platform/deactivate-platform.command';
import { DeactivatePlatformHandler } from '../../../src/service-platform/application/commands/deactivate-platform/deactivate-platform.handler';
import { RegisterPlatformCommand } from '../../../src/service-platform/application/commands/register-platform/register-platform.command';
import { RegisterPlatformHandler } from '../../../src/service-platform/application/commands/register-platform/register-platform.handler';
import { UpdatePlatformCommand } from '../../../src/service-platform/application/commands/update-platform/update-platform.command';
import { UpdatePlatformHandler } from '../../../src/service-platform/application/commands/update-platform/update-platform.handler';
import { GetPlatformQuery } from '../../../src/service-platform/application/queries/get-platform/get-platform.query';
import { GetPlatformHandler } from '../../../src/service-platform/application/queries/get-platform/get-platform.handler';
import { ListPlatformsQuery } from '../../../src/service-platform/application/queries/list-platforms/list-platforms.query';
import { ListPlatformsHandler } from '../../../src/service-platform/application/queries/list-platforms/list-platforms.handler';
import { encodeCursor } from '../../../src/service-platform/application/queries/list-platforms/platform-cursor.codec';
import { ResolveCredentialsHandler } from '../../../src/service-platform/application/queries/resolve-credentials/resolve-credentials.handler';
import { ResolveCredentialsQuery } from '../../../src/service-platform/application/queries/resolve-credentials/resolve-credentials.query';
import { accessFor } from '../../../src/service-platform/application/authz/platform-access';
import type { Actor } from '../../../src/service-platform/domain/actor';
import {
  ConfigDecryptionError,
  InvalidPlatformConfigError,
  PermissionDeniedError,
  PlatformAlreadyExistsError,
  PlatformInactiveError,
  PlatformNotFoundError,
  RequestValidationError,
  VersionConflictError,
} from '../../../src/service-platform/domain/platform.errors';
import {
  InlineUnitOfWork,
  InMemoryEventOutbox,
  InMemoryServicePlatformRepository,
} from '../../support/in-memory-service-platform.repository';
import { genericServiceDefinition } from '../../../src/service-platform/domain/catalog/generic-service';
import { testCatalog } from '../../support/catalog';
import { ServicePlatformMetrics } from '../../../src/service-platform/application/metrics/service-platform-metrics';
import type { ServicePlatformReadiness } from '../../../src/service-platform/application/health/service-platform-readiness';
import type { EncryptionHealth } from '../../../src/service-platform/application/ports/encryption-health.port';
import { memoryViewStore } from '../../../src/service-platform/infrastructure/cache/platform-view-cache.factory';
import {
  DisabledPlatformViewCache,
  TieredPlatformViewCache,
} from '../../../src/service-platform/infrastructure/cache/tiered-platform-view.cache';
import type { PlatformViewCache } from '../../../src/service-platform/application/ports/platform-view-cache.port';

const operator: Actor = { id: 'operator', tenantId: null, roles: ['platform-admin'] };
const tenantAdmin = (tenantId: string): Actor => ({ id: 'ta', tenantId, roles: ['tenant-admin'] });
const viewer = (tenantId: string): Actor => ({ id: 'tv', tenantId, roles: ['tenant-viewer'] });
const integration = (tenantId: string): Actor => ({ id: 'in', tenantId, roles: ['integration'] });
const credentials = { client_id: 'client', client_secret: 'secret' };
/**
 * The handlers' rules, not the catalog's: Outlook and Gmail take any credentials here (the
 * catalog's own validation has its tests).
 */
const catalog = testCatalog({
  services: [genericServiceDefinition('outlook'), genericServiceDefinition('gmail')],
  allowUnknownServices: true,
});
/** A key ring that fits the stored data (the write gate has its own tests). */
const encryption: EncryptionHealth = {
  check: () => Promise.resolve(),
  assertWritable: () => Promise.resolve(),
};

describe('platform command and query handlers (ports faked)', () => {
  let repository: InMemoryServicePlatformRepository;
  let unitOfWork: InlineUnitOfWork;
  let outbox: InMemoryEventOutbox;
  let cache: TieredPlatformViewCache;
  const metrics = new ServicePlatformMetrics({} as ServicePlatformReadiness, {
    primaryKeyId: 'k1',
    keyIds: ['k1'],
  });
  let tenant: string;

  beforeEach(() => {
    repository = new InMemoryServicePlatformRepository();
    unitOfWork = new InlineUnitOfWork();
    outbox = new InMemoryEventOutbox();
    cache = new TieredPlatformViewCache(memoryViewStore({ ttlMs: 60_000, maxEntries: 100 }));
    cache.resumeLocal();
    tenant = randomUUID();
  });

  const updateHandler = () =>
    new UpdatePlatformHandler(repository, unitOfWork, cache, outbox, encryption, catalog);

  const register = (tenantId = tenant, serviceName = 'outlook', actor = operator) =>
    new RegisterPlatformHandler(repository, outbox, unitOfWork, cache, encryption, catalog).execute(
      new RegisterPlatformCommand(actor, tenantId, serviceName, credentials),
    );

  describe('RegisterPlatformHandler', () => {
    it('registers an active platform at version 1 with a lower-cased tenant id', async () => {
      const platform = await register(tenant.toUpperCase());
      expect(platform.tenantId).toBe(tenant);
      expect(platform.isActive).toBe(true);
      expect(platform.version).toBe(1);
      expect(repository.rows.get(platform.id)).toBe(platform);
    });

    it('validates tenant id, service name and configuration before writing anything', async () => {
      await expect(register('not-a-uuid')).rejects.toThrow(RequestValidationError);
      await expect(register(tenant, 'Outlook')).rejects.toThrow(RequestValidationError);
      await expect(
        new RegisterPlatformHandler(
          repository,
          outbox,
          unitOfWork,
          cache,
          encryption,
          catalog,
        ).execute(new RegisterPlatformCommand(operator, tenant, 'outlook', { client_id: 'x' })),
      ).rejects.toThrow(InvalidPlatformConfigError);
      expect(repository.rows.size).toBe(0);
    });

    it('refuses a duplicate, saying when the existing one is inactive', async () => {
      const first = await register();
      await expect(register()).rejects.toThrow(PlatformAlreadyExistsError);
      await repository.deactivate(first.id, accessFor(operator, 'deactivate'));
      await expect(register()).rejects.toThrow(/inactive and can be activated/);
    });

    it('still answers 409 when the existing row cannot be decrypted', async () => {
      await register();
      const broken = jest
        .spyOn(repository, 'getByTenantService')
        .mockRejectedValue(new ConfigDecryptionError('tampered'));
      await expect(register()).rejects.toThrow(PlatformAlreadyExistsError);
      broken.mockRestore();
    });

    it('lets a tenant admin register into its own tenant only', async () => {
      await expect(register(tenant, 'outlook', tenantAdmin(tenant))).resolves.toBeDefined();
      await expect(register(tenant, 'gmail', tenantAdmin(randomUUID()))).rejects.toThrow(
        PermissionDeniedError,
      );
    });

    it.each([
      ['a viewer', viewer],
      ['an integration', integration],
    ])('refuses %s, even in its own tenant', async (_label, role) => {
      await expect(register(tenant, 'outlook', role(tenant))).rejects.toThrow(
        PermissionDeniedError,
      );
      expect(repository.rows.size).toBe(0);
    });
  });

  describe('UpdatePlatformHandler', () => {
    const update = (id: string, patch: object, version?: number, actor = operator) =>
      updateHandler().execute(new UpdatePlatformCommand(actor, id, patch, version));

    it('applies a partial change and bumps the version', async () => {
      const { id } = await register();
      const updated = await update(id, { client_id: 'client-2' });
      expect(updated.version).toBe(2);
      expect(updated.config.toPlain()).toEqual({ client_id: 'client-2', client_secret: 'secret' });
    });

    it('writes nothing for a change that changes nothing', async () => {
      const platform = await register();
      await expect(update(platform.id, { client_id: 'client' })).resolves.toBe(platform);
    });

    it('refuses a stale expected version without writing', async () => {
      const { id } = await register();
      await update(id, { client_id: 'v2' });
      await expect(update(id, { client_id: 'v3' }, 1)).rejects.toThrow(VersionConflictError);
      expect(repository.rows.get(id)?.config.clientId).toBe('v2');
    });

    it('reads the platform locked, inside one unit of work', async () => {
      const { id } = await register();
      const before = unitOfWork.transactions;
      await update(id, { client_secret: 'new' });
      expect(repository.lockedReads).toEqual([id]);
      expect(unitOfWork.transactions).toBe(before + 1);
    });

    it('rejects a bad id, a bad version and an unknown platform', async () => {
      await expect(update('nope', {})).rejects.toThrow(RequestValidationError);
      const { id } = await register();
      await expect(update(id, {}, 0)).rejects.toThrow(RequestValidationError);
      await expect(update(randomUUID(), {})).rejects.toThrow(PlatformNotFoundError);
    });

    it('does not find a platform for an actor whose roles do not allow updating it', async () => {
      const { id } = await register();
      await expect(update(id, { client_id: 'x' }, undefined, viewer(tenant))).rejects.toThrow(
        PlatformNotFoundError,
      );
      await expect(
        update(id, { client_id: 'x' }, undefined, tenantAdmin(tenant)),
      ).resolves.toMatchObject({
        version: 2,
      });
    });

    it("does not find another tenant's platform for a tenant-bound actor", async () => {
      const { id } = await register();
      const stranger = tenantAdmin(randomUUID());
      await expect(update(id, { client_id: 'x' }, undefined, stranger)).rejects.toThrow(
        PlatformNotFoundError,
      );
    });
  });

  describe('change events (outbox)', () => {
    it('one event per real change, in order, with the version after it and the actor', async () => {
      const platform = await register(tenant, 'outlook', tenantAdmin(tenant));
      const update = updateHandler();
      await update.execute(new UpdatePlatformCommand(operator, platform.id, { client_id: 'c2' }));
      await update.execute(new UpdatePlatformCommand(operator, platform.id, { client_id: 'c2' }));
      const deactivate = new DeactivatePlatformHandler(
        repository,
        outbox,
        unitOfWork,
        cache,
        encryption,
      );
      await deactivate.execute(new DeactivatePlatformCommand(operator, platform.id));
      await deactivate.execute(new DeactivatePlatformCommand(operator, platform.id));
      await new ActivatePlatformHandler(repository, outbox, unitOfWork, cache, encryption).execute(
        new ActivatePlatformCommand(operator, platform.id),
      );
      expect(outbox.events.map((event) => [event.type, event.version, event.actorId])).toEqual([
        ['platform.registered', 1, 'ta'],
        ['platform.updated', 2, 'operator'],
        ['platform.deactivated', 3, 'operator'],
        ['platform.activated', 4, 'operator'],
      ]);
      expect(new Set(outbox.events.map((event) => event.eventId)).size).toBe(4);
    });

    it('no event when the command fails', async () => {
      const { id } = await register();
      outbox.events.length = 0;
      await expect(register()).rejects.toThrow(PlatformAlreadyExistsError);
      await expect(
        updateHandler().execute(new UpdatePlatformCommand(operator, id, { client_id: 'x' }, 7)),
      ).rejects.toThrow(VersionConflictError);
      expect(outbox.events).toEqual([]);
    });

    it('masks the config and hides secret values in the changes', async () => {
      const { id } = await register();
      await updateHandler().execute(
        new UpdatePlatformCommand(operator, id, { client_secret: 'rotated-secret' }),
      );
      const [registered, updated] = outbox.events;
      expect(registered?.config).toEqual({ client_id: 'client', client_secret: '********' });
      expect(registered?.changes).toEqual({
        'config.client_id': { before: null, after: 'client' },
        'config.client_secret': { changed: true },
        is_active: { before: null, after: true },
      });
      expect(updated?.changes).toEqual({ 'config.client_secret': { changed: true } });
      const serialized = JSON.stringify(outbox.events);
      expect(serialized).not.toContain('"secret"');
      expect(serialized).not.toContain('rotated-secret');
    });
  });

  describe('DeactivatePlatformHandler / ActivatePlatformHandler', () => {
    it('flip the state once and are idempotent', async () => {
      const { id } = await register();
      const deactivate = new DeactivatePlatformHandler(
        repository,
        outbox,
        unitOfWork,
        cache,
        encryption,
      );
      const activate = new ActivatePlatformHandler(
        repository,
        outbox,
        unitOfWork,
        cache,
        encryption,
      );
      const off = await deactivate.execute(new DeactivatePlatformCommand(operator, id));
      expect(off).toMatchObject({ changed: true, platform: { isActive: false, version: 2 } });
      const again = await deactivate.execute(new DeactivatePlatformCommand(operator, id));
      expect(again).toMatchObject({ changed: false, platform: { isActive: false, version: 2 } });
      const on = await activate.execute(new ActivatePlatformCommand(operator, id));
      expect(on).toMatchObject({ changed: true, platform: { isActive: true, version: 3 } });
    });

    it('report unknown and out-of-scope platforms as not found', async () => {
      const { id } = await register();
      const stranger = tenantAdmin(randomUUID());
      await expect(
        new DeactivatePlatformHandler(repository, outbox, unitOfWork, cache, encryption).execute(
          new DeactivatePlatformCommand(stranger, id),
        ),
      ).rejects.toThrow(PlatformNotFoundError);
      await expect(
        new ActivatePlatformHandler(repository, outbox, unitOfWork, cache, encryption).execute(
          new ActivatePlatformCommand(operator, randomUUID()),
        ),
      ).rejects.toThrow(PlatformNotFoundError);
      expect(repository.rows.get(id)?.isActive).toBe(true);
    });
  });

  describe('ResolveCredentialsHandler', () => {
    const resolve = (actor: Actor | null, tenantId = tenant, serviceName = 'outlook') =>
      new ResolveCredentialsHandler(repository).execute(
        new ResolveCredentialsQuery(actor, tenantId, serviceName),
      );

    it("hands an active platform's decrypted config to trusted callers and integrations", async () => {
      const platform = await register();
      const expected = {
        platform_id: platform.id,
        tenant_id: tenant,
        service_name: 'outlook',
        version: 1,
        config: credentials,
      };
      await expect(resolve(null)).resolves.toEqual(expected);
      await expect(resolve(integration(tenant))).resolves.toEqual(expected);
      await expect(resolve(operator)).resolves.toEqual(expected);
    });

    it('refuses inactive platforms, with a typed error', async () => {
      const { id } = await register();
      await repository.deactivate(id, accessFor(operator, 'deactivate'));
      await expect(resolve(null)).rejects.toThrow(PlatformInactiveError);
      await expect(resolve(integration(tenant))).rejects.toThrow(PlatformInactiveError);
    });

    it("hides another tenant's platform and refuses roles without 'resolve'", async () => {
      await register();
      const lookup = jest.spyOn(repository, 'getByTenantService');
      await expect(resolve(integration(randomUUID()))).rejects.toThrow(PlatformNotFoundError);
      expect(lookup).not.toHaveBeenCalled(); // refused before the row is read (and decrypted)
      lookup.mockRestore();
      await expect(resolve(integration(randomUUID()))).rejects.toThrow(PlatformNotFoundError);
      await expect(resolve(tenantAdmin(tenant))).rejects.toThrow(PermissionDeniedError);
      await expect(resolve(viewer(tenant))).rejects.toThrow(PermissionDeniedError);
      await expect(resolve(null, tenant, 'gmail')).rejects.toThrow(PlatformNotFoundError);
      await expect(resolve(null, 'nope')).rejects.toThrow(RequestValidationError);
    });
  });

  describe('GetPlatformHandler', () => {
    it('counts read-cache hits and misses for the metrics', async () => {
      const { id } = await register();
      // A cold cache (the registration warmed the shared one).
      const cold = new TieredPlatformViewCache(memoryViewStore({ ttlMs: 60_000, maxEntries: 100 }));
      cold.resumeLocal();
      const get = new GetPlatformHandler(repository, cold, metrics, catalog);
      const before = metrics.counters();
      await get.execute(new GetPlatformQuery(operator, id));
      await get.execute(new GetPlatformQuery(operator, id));
      const after = metrics.counters();
      expect(after.cacheMisses - before.cacheMisses).toBe(1);
      expect(after.cacheHits - before.cacheHits).toBe(1);
    });

    it("finds a platform in scope and hides another tenant's", async () => {
      const { id } = await register();
      const get = new GetPlatformHandler(repository, cache, metrics, catalog);
      await expect(get.execute(new GetPlatformQuery(operator, id))).resolves.toMatchObject({ id });
      const owner = tenantAdmin(tenant);
      await expect(get.execute(new GetPlatformQuery(owner, id))).resolves.toMatchObject({ id });
      await expect(get.execute(new GetPlatformQuery(viewer(tenant), id))).resolves.toMatchObject({
        id,
      });
      await expect(get.execute(new GetPlatformQuery(integration(tenant), id))).rejects.toThrow(
        PlatformNotFoundError,
      );
      const stranger = tenantAdmin(randomUUID());
      await expect(get.execute(new GetPlatformQuery(stranger, id))).rejects.toThrow(
        PlatformNotFoundError,
      );
      await expect(get.execute(new GetPlatformQuery(operator, 'x'))).rejects.toThrow(
        RequestValidationError,
      );
    });
  });

  describe('GetPlatformHandler with the read cache', () => {
    it('a cached view serves only who may read it; anyone else reads the database, like an unknown id', async () => {
      const { id } = await register();
      const get = new GetPlatformHandler(repository, cache, metrics, catalog);
      await get.execute(new GetPlatformQuery(operator, id)); // now cached
      expect(await cache.get(id)).toMatchObject({ id, version: 1 });
      const read = jest.spyOn(repository, 'getById');
      await expect(get.execute(new GetPlatformQuery(viewer(tenant), id))).resolves.toMatchObject({
        id,
      });
      await expect(
        get.execute(new GetPlatformQuery(tenantAdmin(randomUUID()), id)),
      ).rejects.toThrow(PlatformNotFoundError);
      await expect(get.execute(new GetPlatformQuery(integration(tenant), id))).rejects.toThrow(
        PlatformNotFoundError,
      );
      // The viewer was served from the cache; the two callers out of scope went to the database.
      expect(read).toHaveBeenCalledTimes(2);
    });

    it('answers the masked view, and every write refreshes it once committed', async () => {
      const platform = await register();
      const get = () =>
        new GetPlatformHandler(repository, cache, metrics, catalog).execute(
          new GetPlatformQuery(operator, platform.id),
        );
      expect((await cache.get(platform.id))?.config).toEqual({
        client_id: 'client',
        client_secret: '********',
      });
      await updateHandler().execute(
        new UpdatePlatformCommand(operator, platform.id, { client_id: 'client-2' }),
      );
      expect(await get()).toMatchObject({ version: 2, config: { client_id: 'client-2' } });
      await new DeactivatePlatformHandler(
        repository,
        outbox,
        unitOfWork,
        cache,
        encryption,
      ).execute(new DeactivatePlatformCommand(operator, platform.id));
      expect(await get()).toMatchObject({ version: 3, is_active: false });
      await new ActivatePlatformHandler(repository, outbox, unitOfWork, cache, encryption).execute(
        new ActivatePlatformCommand(operator, platform.id),
      );
      expect(await get()).toMatchObject({ version: 4, is_active: true });
    });

    it('a command that fails (rolls back) leaves the cached view alone', async () => {
      const { id } = await register();
      jest.spyOn(outbox, 'append').mockRejectedValueOnce(new Error('outbox write failed'));
      await expect(
        updateHandler().execute(
          new UpdatePlatformCommand(operator, id, { client_id: 'never-committed' }),
        ),
      ).rejects.toThrow('outbox write failed');
      expect(await cache.get(id)).toMatchObject({ version: 1, config: { client_id: 'client' } });
    });
  });

  describe.each([
    ['with the read cache', () => cache],
    ['without the read cache', () => new DisabledPlatformViewCache()],
  ])('ListPlatformsHandler %s', (_, cacheOf: () => PlatformViewCache) => {
    const list = (filter: object, actor: Actor = operator) =>
      new ListPlatformsHandler(repository, cacheOf(), catalog).execute(
        new ListPlatformsQuery(actor, filter),
      );

    it('pages through a tenant in registration order with an opaque cursor', async () => {
      const names = ['a', 'b', 'c', 'd', 'e'];
      for (const name of names) await register(tenant, name);
      await register(randomUUID(), 'a'); // another tenant: never listed
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list({ tenantId: tenant, limit: 2, ...(cursor && { cursor }) });
        seen.push(...page.platforms.map((p) => p.service_name));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(seen).toEqual(names);
    });

    it('filters on state and service', async () => {
      const a = await register(tenant, 'a');
      await register(tenant, 'b');
      await repository.deactivate(a.id, accessFor(operator, 'deactivate'));
      const names = async (filter: object) =>
        (await list({ tenantId: tenant, ...filter })).platforms.map((p) => p.service_name);
      expect(await names({})).toEqual(['a', 'b']);
      expect(await names({ isActive: true })).toEqual(['b']);
      expect(await names({ isActive: false })).toEqual(['a']);
      expect(await names({ serviceName: 'b' })).toEqual(['b']);
    });

    it("defaults to the actor's tenant and refuses another one", async () => {
      await register();
      for (const owner of [tenantAdmin(tenant), viewer(tenant)]) {
        expect((await list({}, owner)).platforms).toHaveLength(1);
        await expect(list({ tenantId: randomUUID() }, owner)).rejects.toThrow(
          PermissionDeniedError,
        );
      }
    });

    it('lets only a platform admin list every tenant at once', async () => {
      await register(tenant, 'a');
      await register(randomUUID(), 'b');
      const all = await list({ limit: 200 });
      expect(all.platforms.map((p) => p.tenant_id)).toContain(tenant);
      expect(new Set(all.platforms.map((p) => p.tenant_id)).size).toBeGreaterThanOrEqual(2);
    });

    it.each([
      [{ tenantId: 'x' }, 'tenant_id'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 201 }, 'limit'],
      [{ limit: 1.5 }, 'limit'],
      [{ cursor: 'garbage' }, 'cursor'],
      [{ cursor: Buffer.from('v1:not-a-uuid').toString('base64url') }, 'cursor'],
      [{ serviceName: 'Bad' }, 'service_name'],
    ])('rejects %j (field %s)', async (filter, field) => {
      const withTenant = field === 'tenant_id' ? filter : { tenantId: tenant, ...filter };
      const error = await list(withTenant).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as RequestValidationError).details[0]?.field).toBe(field);
    });
  });

  describe('ListPlatformsHandler and the read cache', () => {
    // One handler per test, as Nest keeps one: it remembers the pages it answered lately.
    let handler: ListPlatformsHandler;
    beforeEach(() => {
      handler = new ListPlatformsHandler(repository, cache, catalog);
    });
    const list = (filter: object, actor: Actor = operator) =>
      handler.execute(new ListPlatformsQuery(actor, filter));

    it('decrypts only the platforms whose listed version this process has not cached', async () => {
      const a = await register(tenant, 'a');
      const b = await register(tenant, 'b');
      cache.suspendLocal();
      cache.resumeLocal(); // empty
      repository.opened = 0;
      const first = await list({ tenantId: tenant });
      expect(repository.opened).toBe(2);
      const again = await list({ tenantId: tenant });
      expect(repository.opened).toBe(2);
      expect(again).toEqual(first);
      expect(again.platforms).toEqual([a.toDict(), b.toDict()]);
    });

    it('answers a page seen lately from the light query alone; one miss reads it in full', async () => {
      const a = await register(tenant, 'a');
      const b = await register(tenant, 'b');
      const versions = jest.spyOn(repository, 'listVersions');
      const sealed = jest.spyOn(repository, 'listSealed');
      repository.opened = 0;
      const first = await list({ tenantId: tenant, limit: 1 });
      // Not seen lately: read in full at once (the views were cached by the registrations).
      expect([versions.mock.calls.length, sealed.mock.calls.length]).toEqual([0, 1]);
      expect(await list({ tenantId: tenant, limit: 1 })).toEqual(first);
      expect([versions.mock.calls.length, sealed.mock.calls.length]).toEqual([1, 1]);
      expect(first.platforms).toEqual([a.toDict()]);

      const second = { tenantId: tenant, limit: 1, cursor: first.nextCursor as string };
      await list(second);
      await list(second);
      expect([versions.mock.calls.length, sealed.mock.calls.length]).toEqual([2, 2]);
      expect(repository.opened).toBe(0);
      // b changes behind the cache's back: its view no longer stands in, the page is read again.
      const changed = b.deactivate(new Date());
      repository.rows.set(b.id, changed);
      expect(await list(second)).toEqual({ platforms: [changed.toDict()], nextCursor: null });
      expect([versions.mock.calls.length, sealed.mock.calls.length]).toEqual([3, 3]);
      expect(repository.opened).toBe(1);
    });

    it('remembers the last 1,024 pages it answered, no more', async () => {
      await register(tenant, 'a');
      const versions = jest.spyOn(repository, 'listVersions');
      const page = (n: number) => ({
        tenantId: tenant,
        cursor: encodeCursor({ afterId: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}` }),
      });
      for (let n = 0; n <= 1_024; n++) await list(page(n));
      expect(versions).not.toHaveBeenCalled();
      await list(page(1_024)); // still remembered
      await list(page(1)); // still remembered
      expect(versions).toHaveBeenCalledTimes(2);
      await list(page(0)); // forgotten: read in full at once
      expect(versions).toHaveBeenCalledTimes(2);
    });

    it("shows a cached view by today's catalog, whatever it was masked by", async () => {
      const a = await register(tenant, 'a');
      cache.suspendLocal();
      cache.resumeLocal(); // empty
      // Cached under rules that showed client_secret (a catalog tightened since).
      const loose = { ...a.toDict(), config: { client_id: 'client', client_secret: 'in-clear' } };
      await cache.putLocal([loose], cache.mark());
      for (let read = 0; read < 2; read++) {
        const page = await list({ tenantId: tenant }); // read in full, then from views alone
        expect(page.platforms).toEqual([a.toDict()]);
        expect(JSON.stringify(page)).not.toContain('in-clear');
      }
    });

    it('never answers from a cached view of another version or tenant', async () => {
      const a = await register(tenant, 'a'); // its version 1 is cached
      const b = await register(tenant, 'b');
      // Changed behind the cache's back: the cached view of version 1 must not stand in.
      await repository.deactivate(a.id, accessFor(operator, 'deactivate'));
      // b moves to version 3 behind the cache's back, and a view of version 3 claiming another
      // tenant is cached: same id and version, yet it must not stand in either.
      await repository.deactivate(b.id, accessFor(operator, 'deactivate'));
      await repository.activate(b.id, accessFor(operator, 'activate'));
      await cache.put({ ...b.toDict(), version: 3, tenant_id: randomUUID() });
      const page = await list({ tenantId: tenant });
      expect(page.platforms.map((p) => [p.id, p.version, p.is_active, p.tenant_id])).toEqual([
        [a.id, 2, false, tenant],
        [b.id, 3, true, tenant],
      ]);
    });

    it('keeps no view read before the memory tier was reset (its change feed reconnected)', async () => {
      const a = await register(tenant, 'a');
      cache.suspendLocal();
      cache.resumeLocal(); // empty
      const listSealed = repository.listSealed.bind(repository);
      jest.spyOn(repository, 'listSealed').mockImplementationOnce(async (...args) => {
        const page = await listSealed(...args);
        // The feed drops and listens again while the page is read: a change may have been missed.
        cache.suspendLocal();
        cache.resumeLocal();
        return page;
      });
      expect((await list({ tenantId: tenant })).platforms).toEqual([a.toDict()]);
      expect(await cache.getLocal([a.id])).toEqual([undefined]);
      await list({ tenantId: tenant });
      expect(await cache.getLocal([a.id])).toEqual([a.toDict()]);
    });

    it("uses this process's copies only: the shared tier is neither read nor written", async () => {
      const shared = memoryViewStore({ ttlMs: 60_000, maxEntries: 100 });
      cache = new TieredPlatformViewCache(
        memoryViewStore({ ttlMs: 60_000, maxEntries: 100 }),
        shared,
      );
      cache.resumeLocal();
      cache.catchUp([]); // the shared tier is read from now on
      handler = new ListPlatformsHandler(repository, cache, catalog);
      const a = await register(tenant, 'a');
      const reads = jest.spyOn(shared, 'get');
      const writes = jest.spyOn(shared, 'put');
      const batchReads = jest.spyOn(shared, 'getMany');
      const batchWrites = jest.spyOn(shared, 'putMany');
      repository.opened = 0;
      await list({ tenantId: tenant }); // a's view is in memory since its registration
      cache.suspendLocal();
      cache.resumeLocal();
      await list({ tenantId: tenant });
      expect(repository.opened).toBe(1);
      expect(await cache.getLocal([a.id])).toEqual([a.toDict()]);
      expect(reads).not.toHaveBeenCalled();
      expect(writes).not.toHaveBeenCalled();
      expect(batchReads).not.toHaveBeenCalled();
      expect(batchWrites).not.toHaveBeenCalled();
      await cache.onApplicationShutdown();
    });
  });
});
