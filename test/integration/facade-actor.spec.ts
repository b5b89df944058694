import type { TestingModule } from '@nestjs/testing';
import {
  PlatformCredentialsResolver,
  PlatformErrorCode,
  ServicePlatformService,
  type Actor,
} from '../../src/service-platform';
import { newTenantId, validConfig } from '../support/fixtures';
import { createIntegrationModule } from '../support/integration-module';

const admin: Actor = { id: 'admin', tenantId: null, roles: ['platform-admin'] };

/**
 * The facade is the module's in-process API: hosts build the actor themselves, often from an
 * untyped `request.user`. It must check that actor as the transports do. Found in review: a
 * `tenantId` left `undefined` (not `null`) became a `{ tenantId: undefined }` rule, which Prisma
 * drops, so a tenant role without a tenant reached every tenant's platforms.
 */
describe('the facade checks the actor it is handed (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let facade: ServicePlatformService;
  let platformId: string;
  const tenantId = newTenantId();

  /** As a host's `any`-typed user would produce it: the tenant claim missing. */
  const noTenant = (roles: string[]): Actor =>
    ({ id: 'host-user', tenantId: undefined, roles }) as unknown as Actor;
  const codeOf = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => 'resolved',
      (error: unknown) => (error as { code?: unknown }).code,
    );

  beforeAll(async () => {
    moduleRef = await createIntegrationModule();
    facade = moduleRef.get(ServicePlatformService);
    const registered = await facade.registerPlatform(
      { tenant_id: tenantId, service_name: 'slack', config: validConfig('slack') as never },
      admin,
    );
    platformId = registered.platform.id;
  });

  afterAll(async () => {
    await moduleRef.close();
  });

  it('an undefined tenant is no tenant: another tenant’s platform is out of reach', async () => {
    const viewer = noTenant(['tenant-viewer']);
    const tenantAdmin = noTenant(['tenant-admin']);
    const byId = { platform_id: platformId };
    expect(await codeOf(facade.getPlatform(byId, viewer))).toBe(PlatformErrorCode.PlatformNotFound);
    expect(await codeOf(facade.updatePlatform({ ...byId, config: {} }, tenantAdmin))).toBe(
      PlatformErrorCode.PlatformNotFound,
    );
    expect(await codeOf(facade.deactivatePlatform(byId, tenantAdmin))).toBe(
      PlatformErrorCode.PlatformNotFound,
    );
    expect(await codeOf(facade.activatePlatform(byId, tenantAdmin))).toBe(
      PlatformErrorCode.PlatformNotFound,
    );
    expect(await codeOf(facade.listAuditEntries(byId, tenantAdmin))).toBe(
      PlatformErrorCode.PlatformNotFound,
    );
    expect(await codeOf(facade.listPlatforms({}, viewer))).toBe(PlatformErrorCode.ValidationFailed);
    const resolver = moduleRef.get(PlatformCredentialsResolver);
    expect(await codeOf(resolver.resolveFor(noTenant(['integration']), tenantId, 'slack'))).toBe(
      PlatformErrorCode.Forbidden,
    );
    // Nothing changed on the way.
    const stored = await facade.getPlatform(byId, admin);
    expect(stored).toMatchObject({ version: 1, is_active: true });
  });

  it('a malformed actor is refused as unauthenticated, before anything runs', async () => {
    const bad: unknown[] = [
      undefined,
      { tenantId, roles: ['tenant-admin'] },
      { id: 'x', tenantId: 'acme', roles: ['tenant-admin'] },
      { id: 'x\u0000y', tenantId, roles: ['tenant-admin'] },
    ];
    for (const actor of bad) {
      expect(await codeOf(facade.getPlatform({ platform_id: platformId }, actor as Actor))).toBe(
        PlatformErrorCode.Unauthenticated,
      );
      expect(
        await codeOf(facade.deactivatePlatform({ platform_id: platformId }, actor as Actor)),
      ).toBe(PlatformErrorCode.Unauthenticated);
    }
    expect((await facade.getPlatform({ platform_id: platformId }, admin)).is_active).toBe(true);
  });
});
