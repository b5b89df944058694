import { status as GrpcStatus } from '@grpc/grpc-js';
import { newTenantId } from '../../support/fixtures';
import {
  callRpc,
  createPlatformClient,
  type PlatformServiceClient,
} from '../../support/grpc-client';
import { startHybridTestApp, type HybridTestApp } from '../../support/test-app';

/** The per-tenant budget of the demo app covers gRPC calls too, shared with REST. */
describe('gRPC rate limit', () => {
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;

  beforeAll(async () => {
    hybrid = await startHybridTestApp('fastify', { RATE_LIMIT_PER_MINUTE: '3' });
    client = createPlatformClient(hybrid.address);
  });
  afterAll(async () => {
    client.close();
    await hybrid.app.close();
  });

  it("refuses a tenant's calls over the budget with RESOURCE_EXHAUSTED, not another tenant's", async () => {
    const tenant = newTenantId();
    const viewer = { tenantId: tenant, roles: ['tenant-viewer'] };
    const list = (as: typeof viewer) =>
      callRpc(client, 'ListPlatforms', { tenant_id: as.tenantId }, { as });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await list(viewer)).code);
    expect(statuses).toEqual([
      GrpcStatus.OK,
      GrpcStatus.OK,
      GrpcStatus.OK,
      GrpcStatus.RESOURCE_EXHAUSTED,
    ]);
    const other = { tenantId: newTenantId(), roles: ['tenant-viewer'] };
    expect((await list(other)).code).toBe(GrpcStatus.OK);
  });
});
