import { status as GrpcStatus } from '@grpc/grpc-js';
import { ServicePlatformGrpcHealth } from '../../../src/service-platform';
import { guidOf, newTenantId, validConfig } from '../../support/fixtures';
import {
  callOk,
  callRpc,
  checkHealth,
  createPlatformClient,
  fileContainingSymbol,
  listServicesByReflection,
  RPC_METHODS,
  type PlatformServiceClient,
} from '../../support/grpc-client';
import { TcpProxy } from '../../support/tcp-proxy';
import { startHybridTestApp, type HybridTestApp } from '../../support/test-app';

/**
 * What `grpcurl -plaintext localhost:5000 list` and a load balancer's health probe see: server
 * reflection and grpc.health.v1.Health, no token needed; health follows the module's readiness.
 * The database goes through a proxy this file cuts, to see UNAVAILABLE and NOT_SERVING.
 */
describe('gRPC reflection, health and an unreachable database', () => {
  let proxy: TcpProxy;
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;

  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    if (url === undefined) throw new Error('DATABASE_URL is not set (jest globalSetup sets it)');
    proxy = await TcpProxy.start();
    hybrid = await startHybridTestApp('fastify', {
      DATABASE_URL: proxy.rewrite(url),
      DATABASE_POOL_SIZE: '2',
      DATABASE_QUERY_TIMEOUT_MS: '2000',
    });
    client = createPlatformClient(hybrid.address);
  });
  afterEach(async () => {
    await proxy.open();
  });
  afterAll(async () => {
    client?.close();
    await proxy?.open();
    await hybrid?.app.close();
    await proxy?.close();
  });

  it('reflection lists the PlatformService and the health service, without a token', async () => {
    const services = await listServicesByReflection(hybrid.address);
    expect(services).toEqual(
      expect.arrayContaining(['serviceplatform.v1.PlatformService', 'grpc.health.v1.Health']),
    );
  });

  it('reflection describes the service, its methods and the Struct it uses', async () => {
    const files = (
      await fileContainingSymbol(hybrid.address, 'serviceplatform.v1.PlatformService')
    ).join('\n');
    for (const method of RPC_METHODS) expect(files).toContain(method);
    expect(files).toContain('google.protobuf.Struct');
    await expect(fileContainingSymbol(hybrid.address, 'serviceplatform.v1.Nope')).rejects.toThrow();
  });

  it('health answers SERVING for the server and for the service, without a token', async () => {
    expect(await checkHealth(hybrid.address)).toEqual({ status: 'SERVING' });
    expect(await checkHealth(hybrid.address, 'serviceplatform.v1.PlatformService')).toEqual({
      status: 'SERVING',
    });
    const unknown = await checkHealth(hybrid.address, 'no.such.Service');
    expect(unknown.error?.code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('database down: every RPC answers UNAVAILABLE, health NOT_SERVING; both recover', async () => {
    const tenant = newTenantId();
    const registered = await callOk<{ platform: { id: string } }>(client, 'RegisterPlatform', {
      tenant_id: tenant,
      service_name: 'outlook',
      config: validConfig('outlook', { client_secret: 'outage-secret' }),
    });
    const id = registered.platform.id;
    await proxy.close();

    const calls = {
      RegisterPlatform: {
        tenant_id: tenant,
        service_name: 'gmail',
        config: validConfig('gmail', { client_secret: 'outage-secret-2' }),
      },
      GetPlatform: { platform_id: id },
      UpdatePlatform: { platform_id: id, config: { client_id: guidOf('other') } },
      DeactivatePlatform: { platform_id: id },
      ActivatePlatform: { platform_id: id },
      ListPlatforms: { tenant_id: tenant },
      ResolveCredentials: { tenant_id: tenant, service_name: 'outlook' },
    } as const;
    for (const [method, request] of Object.entries(calls)) {
      const outcome = await callRpc(client, method as keyof typeof calls, request);
      expect({ method, status: outcome.status, errorCode: outcome.errorCode }).toEqual({
        method,
        status: 'UNAVAILABLE',
        errorCode: 'SERVICE_UNAVAILABLE',
      });
      expect(outcome.error?.details).not.toMatch(
        /prisma|ECONNREFUSED|127\.0\.0\.1|postgres|\n\s+at /i,
      );
      expect(outcome.error?.details).not.toContain('outage-secret');
    }

    const health = hybrid.app.get(ServicePlatformGrpcHealth);
    expect(await health.refresh()).toBe('NOT_SERVING');
    expect(await checkHealth(hybrid.address)).toEqual({ status: 'NOT_SERVING' });
    expect(await checkHealth(hybrid.address, 'serviceplatform.v1.PlatformService')).toEqual({
      status: 'NOT_SERVING',
    });

    await proxy.open();
    let status = '';
    for (let attempt = 0; attempt < 10 && status !== 'OK'; attempt++) {
      status = (await callRpc(client, 'GetPlatform', { platform_id: id })).status;
      if (status !== 'OK') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe('OK');
    expect(await health.refresh()).toBe('SERVING');
    expect(await checkHealth(hybrid.address)).toEqual({ status: 'SERVING' });
  });
});
