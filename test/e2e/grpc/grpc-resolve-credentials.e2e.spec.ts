import { canarySecret, guidOf, newTenantId, validConfig } from '../../support/fixtures';
import {
  callOk,
  callRpc,
  createPlatformClient,
  fromStruct,
  toStruct,
  type CallOptions,
  type PlatformServiceClient,
  type Struct,
} from '../../support/grpc-client';
import { startHybridTestApp, type HybridTestApp } from '../../support/test-app';

interface Resolved {
  platform_id: string;
  tenant_id: string;
  service_name: string;
  version: number;
  config: {
    client_id: string;
    client_secret: string;
    tenant_id?: string;
    additional_data?: Struct;
  };
}

/**
 * ResolveCredentials: the one RPC that returns decrypted secrets — to an integration of the
 * platform's own tenant or a platform admin, for active platforms only.
 */
describe('gRPC ResolveCredentials', () => {
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;

  beforeAll(async () => {
    hybrid = await startHybridTestApp('fastify');
    client = createPlatformClient(hybrid.address);
  });
  afterAll(async () => {
    client?.close();
    await hybrid?.app.close();
  });

  const as = (roles: string[], tenantId?: string): CallOptions => ({
    as: { roles, ...(tenantId !== undefined && { tenantId }) },
  });

  async function world(): Promise<{
    tenant: string;
    other: string;
    id: string;
    secret: string;
    refresh: string;
  }> {
    const tenant = newTenantId();
    const other = newTenantId();
    const secret = canarySecret('resolve');
    const refresh = canarySecret('refresh');
    const created = await callOk<{ platform: { id: string } }>(client, 'RegisterPlatform', {
      tenant_id: tenant,
      service_name: 'outlook',
      config: {
        client_id: guidOf('client-1'),
        client_secret: secret,
        tenant_id: 'contoso.onmicrosoft.com',
        additional_data: toStruct({ refresh_token: refresh, scopes: ['Mail.Read'], n: 1 }),
      },
    });
    await callOk(client, 'RegisterPlatform', {
      tenant_id: other,
      service_name: 'outlook',
      config: validConfig('outlook', {
        client_id: guidOf('client-2'),
        client_secret: canarySecret('other'),
      }),
    });
    return { tenant, other, id: created.platform.id, secret, refresh };
  }

  it('an integration of the tenant gets the decrypted configuration of an active platform', async () => {
    const w = await world();
    const resolved = await callOk<Resolved>(
      client,
      'ResolveCredentials',
      { tenant_id: w.tenant, service_name: 'outlook' },
      as(['integration'], w.tenant),
    );
    expect(resolved).toEqual({
      platform_id: w.id,
      tenant_id: w.tenant,
      service_name: 'outlook',
      version: 1,
      config: {
        client_id: guidOf('client-1'),
        client_secret: w.secret,
        tenant_id: 'contoso.onmicrosoft.com',
        // proto-loader's `oneofs: true` names the synthetic oneof of a proto3 `optional` field.
        _tenant_id: 'tenant_id',
        additional_data: expect.any(Object),
      },
    });
    expect(fromStruct(resolved.config.additional_data)).toEqual({
      refresh_token: w.refresh,
      scopes: ['Mail.Read'],
      n: 1,
    });
  });

  it('a platform admin gets it for any tenant; tenant ids are matched case-insensitively', async () => {
    const w = await world();
    const resolved = await callOk<Resolved>(
      client,
      'ResolveCredentials',
      { tenant_id: w.tenant.toUpperCase(), service_name: 'outlook' },
      as(['platform-admin']),
    );
    expect(resolved.config.client_secret).toBe(w.secret);
    expect(resolved.tenant_id).toBe(w.tenant);
  });

  it.each([
    ['tenant-viewer of the tenant', ['tenant-viewer'], 'own'],
    ['tenant-admin of the tenant (no resolve permission at all)', ['tenant-admin'], 'own'],
    ['tenant-admin of another tenant', ['tenant-admin'], 'other'],
    ['tenant-viewer of another tenant', ['tenant-viewer'], 'other'],
  ] as const)('refuses a %s: PERMISSION_DENIED', async (_name, roles, which) => {
    const w = await world();
    const outcome = await callRpc(
      client,
      'ResolveCredentials',
      { tenant_id: w.tenant, service_name: 'outlook' },
      as([...roles], which === 'own' ? w.tenant : w.other),
    );
    expect({ status: outcome.status, errorCode: outcome.errorCode }).toEqual({
      status: 'PERMISSION_DENIED',
      errorCode: 'FORBIDDEN',
    });
    expect(JSON.stringify(outcome)).not.toContain(w.secret);
  });

  it("refuses another tenant's integration with NOT_FOUND (existence not revealed)", async () => {
    const w = await world();
    const outcome = await callRpc(
      client,
      'ResolveCredentials',
      { tenant_id: w.tenant, service_name: 'outlook' },
      as(['integration'], w.other),
    );
    expect({ status: outcome.status, errorCode: outcome.errorCode }).toEqual({
      status: 'NOT_FOUND',
      errorCode: 'PLATFORM_NOT_FOUND',
    });
    // Even once deactivated: "inactive" is only said to those who may see the platform.
    await callOk(client, 'DeactivatePlatform', { platform_id: w.id });
    const inactive = await callRpc(
      client,
      'ResolveCredentials',
      { tenant_id: w.tenant, service_name: 'outlook' },
      as(['integration'], w.other),
    );
    expect(inactive.status).toBe('NOT_FOUND');
  });

  it('refuses an inactive platform with FAILED_PRECONDITION until it is activated again', async () => {
    const w = await world();
    await callOk(client, 'DeactivatePlatform', { platform_id: w.id });
    for (const options of [as(['integration'], w.tenant), as(['platform-admin'])]) {
      const outcome = await callRpc(
        client,
        'ResolveCredentials',
        { tenant_id: w.tenant, service_name: 'outlook' },
        options,
      );
      expect({ status: outcome.status, errorCode: outcome.errorCode }).toEqual({
        status: 'FAILED_PRECONDITION',
        errorCode: 'PLATFORM_INACTIVE',
      });
      expect(outcome.error?.details).toMatch(/inactive; activate it/);
      expect(JSON.stringify(outcome)).not.toContain(w.secret);
    }
    await callOk(client, 'ActivatePlatform', { platform_id: w.id });
    const resolved = await callOk<Resolved>(
      client,
      'ResolveCredentials',
      { tenant_id: w.tenant, service_name: 'outlook' },
      as(['integration'], w.tenant),
    );
    expect(resolved.config.client_secret).toBe(w.secret);
    expect(resolved.version).toBe(3);
  });

  it('NOT_FOUND for a service the tenant does not have; INVALID_ARGUMENT; UNAUTHENTICATED', async () => {
    const w = await world();
    const integration = as(['integration'], w.tenant);
    const missing = await callRpc(
      client,
      'ResolveCredentials',
      { tenant_id: w.tenant, service_name: 'gmail' },
      integration,
    );
    expect(missing.status).toBe('NOT_FOUND');

    const badTenant = await callRpc(
      client,
      'ResolveCredentials',
      { tenant_id: 'acme', service_name: 'outlook' },
      integration,
    );
    expect({ status: badTenant.status, errorCode: badTenant.errorCode }).toEqual({
      status: 'INVALID_ARGUMENT',
      errorCode: 'VALIDATION_FAILED',
    });
    expect(badTenant.rich?.fieldViolations.map((v) => v.field)).toEqual(['tenant_id']);

    const badService = await callRpc(
      client,
      'ResolveCredentials',
      { tenant_id: w.tenant, service_name: 'Outlook!' },
      integration,
    );
    expect(badService.status).toBe('INVALID_ARGUMENT');
    expect(badService.rich?.fieldViolations.map((v) => v.field)).toEqual(['service_name']);

    const anonymous = await callRpc(
      client,
      'ResolveCredentials',
      { tenant_id: w.tenant, service_name: 'outlook' },
      { token: null },
    );
    expect({ status: anonymous.status, errorCode: anonymous.errorCode }).toEqual({
      status: 'UNAUTHENTICATED',
      errorCode: 'UNAUTHENTICATED',
    });
  });

  it('an integration can do nothing else: every management RPC is PERMISSION_DENIED', async () => {
    const w = await world();
    const integration = as(['integration'], w.tenant);
    const calls = {
      RegisterPlatform: {
        tenant_id: w.tenant,
        service_name: 'gmail',
        config: validConfig('gmail'),
      },
      GetPlatform: { platform_id: w.id },
      UpdatePlatform: { platform_id: w.id, config: {} },
      DeactivatePlatform: { platform_id: w.id },
      ActivatePlatform: { platform_id: w.id },
      ListPlatforms: { tenant_id: w.tenant },
    } as const;
    for (const [method, request] of Object.entries(calls)) {
      const outcome = await callRpc(client, method as keyof typeof calls, request, integration);
      expect({ method, status: outcome.status }).toEqual({ method, status: 'PERMISSION_DENIED' });
    }
  });
});
