import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  InvalidPlatformConfigError,
  PlatformAlreadyExistsError,
  PlatformNotFoundError,
  PlatformServiceError,
  ServicePlatformModule,
  ServicePlatformService,
  type Actor,
  type ServicePlatformModuleOptions,
  type ServicePlatformOptionsFactory,
} from '../../src/service-platform';
import { newTenantId, validConfig } from '../support/fixtures';

/** Options from a class of the host's, as `forRootAsync({ useClass })` takes them. */
@Injectable()
class HostOptions implements ServicePlatformOptionsFactory {
  create(): ServicePlatformModuleOptions {
    return {
      database: { url: process.env.DATABASE_URL as string, poolSize: 2 },
      encryption: { keys: process.env.ENCRYPTION_KEYS as string },
    };
  }
}

/**
 * What a host codes against, from the package's entry point only: an options class for
 * `forRootAsync({ useClass })`, and the spec's error classes to catch (spec "Errors").
 */
describe('the host-facing API (real PostgreSQL)', () => {
  let moduleRef: TestingModule;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        ServicePlatformModule.forRootAsync({
          useClass: HostOptions,
          http: { enabled: false },
          grpc: { enabled: false },
        }),
      ],
    }).compile();
    await moduleRef.init();
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it('forRootAsync({ useClass }) with a ServicePlatformOptionsFactory; errors are the spec’s classes', async () => {
    const facade = moduleRef.get(ServicePlatformService);
    const tenant = newTenantId();
    const actor: Actor = { id: 'host', tenantId: tenant, roles: ['tenant-admin'] };
    const request = { tenant_id: tenant, service_name: 'slack', config: validConfig('slack') };
    const { platform } = await facade.registerPlatform(request as never, actor);
    expect(platform.tenant_id).toBe(tenant);

    const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      );
    const duplicate = await failureOf(facade.registerPlatform(request as never, actor));
    expect(duplicate).toBeInstanceOf(PlatformAlreadyExistsError);
    const unknown = await failureOf(facade.getPlatform({ platform_id: newTenantId() }, actor));
    expect(unknown).toBeInstanceOf(PlatformNotFoundError);
    const invalid = await failureOf(
      facade.updatePlatform({ platform_id: platform.id, config: { client_id: 42 } }, actor),
    );
    expect(invalid).toBeInstanceOf(InvalidPlatformConfigError);
    for (const error of [duplicate, unknown, invalid]) {
      expect(error).toBeInstanceOf(PlatformServiceError);
    }
  });
});
