import { status as GrpcStatus } from '@grpc/grpc-js';
import { tokenFor } from '../../support/auth';
import {
  canarySecret,
  GOOGLE_CLIENT_ID,
  guidOf,
  newTenantId,
  OUTLOOK_CLIENT_ID,
  validConfig,
} from '../../support/fixtures';
import {
  callRpc,
  createPlatformClient,
  fromStruct,
  platformAsJson,
  toStruct,
  type CallOptions,
  type PlatformServiceClient,
  type RpcMethod,
  type RpcOutcome,
  type Struct,
} from '../../support/grpc-client';
import { startHybridTestApp, type HybridTestApp } from '../../support/test-app';
import { API, ISO_UTC, MASK, UNKNOWN_ID, http } from '../e2e-helpers';

/** A PlatformResponse message as the client decodes it. */
interface PlatformMessage {
  id: string;
  tenant_id: string;
  service_name: string;
  config: Struct;
  is_active: boolean;
  version: number;
  created_at: string;
  updated_at: string;
}
interface ChangeMessage {
  platform: PlatformMessage;
  success: boolean;
  message: string;
}
interface ListMessage {
  platforms: PlatformMessage[];
  next_cursor?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every management answer of this file, to search for plaintext secrets at the end. */
const answers: string[] = [];

function expectPlatformMessage(platform: PlatformMessage): Record<string, unknown> {
  expect(Object.keys(platform).sort()).toEqual([
    'config',
    'created_at',
    'id',
    'is_active',
    'service_name',
    'tenant_id',
    'updated_at',
    'version',
  ]);
  expect(platform.id).toMatch(UUID);
  expect(platform.tenant_id).toMatch(UUID);
  expect(platform.created_at).toMatch(ISO_UTC);
  expect(platform.updated_at).toMatch(ISO_UTC);
  expect(platform.version).toBeGreaterThanOrEqual(1);
  const config = fromStruct(platform.config);
  expect(config.client_secret).toBe(MASK);
  return config;
}

/** An error outcome: the status, the module's code, and rich details that agree with both. */
function expectError<T>(
  outcome: RpcOutcome<T>,
  status: keyof typeof GrpcStatus,
  errorCode: string,
): RpcOutcome<T> {
  expect({ status: outcome.status, errorCode: outcome.errorCode }).toEqual({ status, errorCode });
  expect(outcome.rich?.code).toBe(GrpcStatus[status]);
  expect(outcome.rich?.message).toBe(outcome.error?.details);
  expect(outcome.rich?.errorInfo).toEqual({ reason: errorCode, domain: 'serviceplatform.v1' });
  expect(outcome.error?.details).not.toMatch(/\n\s+at |\.ts:\d+|node_modules|"stack"/);
  answers.push(JSON.stringify({ details: outcome.error?.details, rich: outcome.rich }));
  return outcome;
}

/** The field violations of a google.rpc.BadRequest detail. */
function violatedFields<T>(outcome: RpcOutcome<T>): string[] {
  return [...new Set((outcome.rich?.fieldViolations ?? []).map((violation) => violation.field))];
}

describe('gRPC PlatformService (hybrid demo app, real PostgreSQL)', () => {
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

  async function call<T>(
    method: RpcMethod,
    request: object,
    options: CallOptions = {},
  ): Promise<RpcOutcome<T>> {
    const outcome = await callRpc<T>(client, method, request, options);
    if (outcome.value !== undefined) answers.push(JSON.stringify(outcome.value));
    return outcome;
  }

  async function ok<T>(method: RpcMethod, request: object, options: CallOptions = {}): Promise<T> {
    const outcome = await call<T>(method, request, options);
    expect({ method, status: outcome.status, details: outcome.error?.details }).toEqual({
      method,
      status: 'OK',
      details: undefined,
    });
    return outcome.value as T;
  }

  /** What an outlook registration stores in additional_data (redirect_uri and scopes public). */
  const OUTLOOK_ADDITIONAL_DATA = {
    redirect_uri: 'https://app.example.com/callback',
    refresh_token: 'rt-secret-value',
    scopes: ['Mail.Read', 'offline_access'],
    nested: { api_key: 'ak-secret-value', region: 'eu', retries: 3, beta: true, none: null },
  };

  /** A valid config of the service as a gRPC message carries it (additional_data a Struct). */
  function baseConfig(service: string): Record<string, unknown> {
    if (service === 'outlook') {
      return {
        client_id: OUTLOOK_CLIENT_ID,
        tenant_id: 'contoso.onmicrosoft.com',
        additional_data: toStruct(OUTLOOK_ADDITIONAL_DATA),
      };
    }
    const { additional_data: additional, ...config } = validConfig(service);
    return additional === undefined
      ? config
      : { ...config, additional_data: toStruct(additional as Record<string, unknown>) };
  }

  function registerRequest(
    tenant: string,
    overrides: { service_name?: string; secret?: string; config?: Record<string, unknown> } = {},
  ): Record<string, unknown> {
    const service = overrides.service_name ?? 'outlook';
    return {
      tenant_id: tenant,
      service_name: service,
      config: {
        ...baseConfig(service),
        client_secret: overrides.secret ?? canarySecret('grpc'),
        ...overrides.config,
      },
    };
  }

  async function registered(
    tenant = newTenantId(),
    overrides: { service_name?: string; secret?: string; config?: Record<string, unknown> } = {},
  ): Promise<PlatformMessage> {
    return (await ok<ChangeMessage>('RegisterPlatform', registerRequest(tenant, overrides)))
      .platform;
  }

  const admin = (tenantId: string): CallOptions => ({
    as: { tenantId, roles: ['tenant-admin'] },
  });
  const viewer = (tenantId: string): CallOptions => ({
    as: { tenantId, roles: ['tenant-viewer'] },
  });
  const integration = (tenantId: string): CallOptions => ({
    as: { tenantId, roles: ['integration'] },
  });

  describe('RegisterPlatform', () => {
    it('OK: the new platform (version 1, active, secrets masked) and a message', async () => {
      const tenant = newTenantId();
      const answer = await ok<ChangeMessage>(
        'RegisterPlatform',
        registerRequest(tenant),
        admin(tenant),
      );
      expect(answer.success).toBe(true);
      expect(answer.message).toBe(`Platform 'outlook' registered for tenant ${tenant}`);
      const config = expectPlatformMessage(answer.platform);
      expect(answer.platform).toMatchObject({
        tenant_id: tenant,
        service_name: 'outlook',
        is_active: true,
        version: 1,
      });
      expect(answer.platform.created_at).toBe(answer.platform.updated_at);
      expect(config).toEqual({
        client_id: OUTLOOK_CLIENT_ID,
        client_secret: MASK,
        tenant_id: 'contoso.onmicrosoft.com',
        additional_data: {
          redirect_uri: 'https://app.example.com/callback',
          refresh_token: MASK,
          scopes: ['Mail.Read', 'offline_access'],
          // Not declared by outlook: a secret, masked whole.
          nested: MASK,
        },
      });
      // The same platform over REST: the same JSON, field for field.
      const rest = await http(hybrid.app).get(`${API}/${answer.platform.id}`);
      expect(platformAsJson(answer.platform as never)).toEqual(rest.body);
      // Stored as sent: every Struct value kind survives the round trip.
      const resolved = await ok<{ config: { additional_data: Struct } }>('ResolveCredentials', {
        tenant_id: tenant,
        service_name: 'outlook',
      });
      expect(fromStruct(resolved.config.additional_data)).toEqual(OUTLOOK_ADDITIONAL_DATA);
    });

    it('ALREADY_EXISTS for a second registration; an inactive one can be activated instead', async () => {
      const tenant = newTenantId();
      const first = await registered(tenant);
      const again = await call('RegisterPlatform', registerRequest(tenant));
      expectError(again, 'ALREADY_EXISTS', 'PLATFORM_ALREADY_EXISTS');
      expect(again.error?.details).toBe('The tenant already has a platform for this service');

      await ok('DeactivatePlatform', { platform_id: first.id });
      const inactive = await call('RegisterPlatform', registerRequest(tenant));
      expectError(inactive, 'ALREADY_EXISTS', 'PLATFORM_ALREADY_EXISTS');
      expect(inactive.error?.details).toMatch(/inactive and can be activated/);
    });

    it('INVALID_ARGUMENT with google.rpc.BadRequest field violations', async () => {
      const tenant = newTenantId();
      const noSecret = await call(
        'RegisterPlatform',
        registerRequest(tenant, { config: { client_secret: '' } }),
      );
      expectError(noSecret, 'INVALID_ARGUMENT', 'INVALID_PLATFORM_CONFIG');
      expect(violatedFields(noSecret)).toEqual(['config.client_secret']);
      expect(noSecret.error?.details).toContain('config.client_secret');

      const badIds = await call('RegisterPlatform', {
        ...registerRequest(tenant),
        tenant_id: 'acme',
        service_name: 'Not A Slug',
      });
      expectError(badIds, 'INVALID_ARGUMENT', 'VALIDATION_FAILED');
      expect(violatedFields(badIds)).toEqual(['tenant_id', 'service_name']);

      const noConfig = await call('RegisterPlatform', { tenant_id: tenant, service_name: 'x' });
      expectError(noConfig, 'INVALID_ARGUMENT', 'VALIDATION_FAILED');
      expect(violatedFields(noConfig)).toEqual(['config']);

      const empty = await call('RegisterPlatform', {});
      expectError(empty, 'INVALID_ARGUMENT', 'VALIDATION_FAILED');
      expect(violatedFields(empty)).toEqual(['tenant_id', 'service_name', 'config']);
    });

    it('INVALID_ARGUMENT for additional_data that is not plain bounded JSON', async () => {
      const tenant = newTenantId();
      const cases: [string, Struct][] = [
        // JSON.parse makes `__proto__` an own key (an object literal would set the prototype).
        [
          'reserved key',
          toStruct(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>),
        ],
        ['reserved nested key', toStruct({ a: JSON.parse('{"constructor": 1}') as unknown })],
        ['too deep', toStruct({ a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } })],
        ['empty key', toStruct({ '': 1 })],
        ['value without kind', { fields: { broken: {} } }],
        ['infinity', { fields: { n: { numberValue: Number.POSITIVE_INFINITY } } }],
      ];
      for (const [name, additional_data] of cases) {
        const outcome = await call(
          'RegisterPlatform',
          registerRequest(tenant, { config: { additional_data } }),
        );
        expect({ name, status: outcome.status }).toEqual({ name, status: 'INVALID_ARGUMENT' });
        expectError(outcome, 'INVALID_ARGUMENT', 'INVALID_PLATFORM_CONFIG');
        expect(violatedFields(outcome)).toEqual(['config.additional_data']);
      }
      // Nothing was stored by any of them.
      const list = await ok<ListMessage>('ListPlatforms', { tenant_id: tenant });
      expect(list.platforms).toEqual([]);
    });

    it('a key of tens of kilobytes: INVALID_ARGUMENT at once, its name cut short in the answer', async () => {
      // Found by the fuzz suite: the violation named the key in full, and trailers over HTTP/2's
      // 64 KiB header-list limit never arrived, so the call hung until its deadline.
      const key = 'k'.repeat(42_000);
      const outcome = await call(
        'RegisterPlatform',
        registerRequest(newTenantId(), {
          config: { additional_data: toStruct({ [key]: 'a\u0000b' }) },
        }),
        { deadlineMs: 5_000 },
      );
      expectError(outcome, 'INVALID_ARGUMENT', 'VALIDATION_FAILED');
      const fields = violatedFields(outcome);
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) expect(field.length).toBeLessThanOrEqual(128);
      expect(fields.some((field) => field.startsWith('config.additional_data.kkk'))).toBe(true);
    });

    it('UNAUTHENTICATED without a valid token; PERMISSION_DENIED for roles and tenants', async () => {
      const tenant = newTenantId();
      const request = registerRequest(tenant);
      expectError(
        await call('RegisterPlatform', request, { token: null }),
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
      );
      expectError(
        await call('RegisterPlatform', request, { authorization: 'Basic dXNlcjpwYXNz' }),
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
      );
      const forged = tokenFor({ roles: ['platform-admin'], secret: 'not-the-secret' });
      expectError(
        await call('RegisterPlatform', request, { token: forged }),
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
      );
      const expired = tokenFor({ roles: ['platform-admin'], claims: { exp: 1_000_000 } });
      const outcome = expectError(
        await call('RegisterPlatform', request, { token: expired }),
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
      );
      expect(outcome.error?.details).toBe('Token expired');

      expectError(
        await call('RegisterPlatform', request, viewer(tenant)),
        'PERMISSION_DENIED',
        'FORBIDDEN',
      );
      expectError(
        await call('RegisterPlatform', request, integration(tenant)),
        'PERMISSION_DENIED',
        'FORBIDDEN',
      );
      expectError(
        await call('RegisterPlatform', request, admin(newTenantId())),
        'PERMISSION_DENIED',
        'FORBIDDEN',
      );
    });
  });

  describe('GetPlatform', () => {
    it('OK for platform-admin, the tenant admin and viewer; the same JSON as REST', async () => {
      const tenant = newTenantId();
      const created = await registered(tenant);
      for (const options of [{}, admin(tenant), viewer(tenant)]) {
        const got = await ok<PlatformMessage>('GetPlatform', { platform_id: created.id }, options);
        expectPlatformMessage(got);
        expect(got).toEqual(created);
      }
      const rest = await http(hybrid.app).get(`${API}/${created.id}`);
      expect(platformAsJson(created as never)).toEqual(rest.body);
    });

    it('INVALID_ARGUMENT, NOT_FOUND (unknown, or another tenant), PERMISSION_DENIED, UNAUTHENTICATED', async () => {
      const tenant = newTenantId();
      const created = await registered(tenant);
      const notUuid = expectError(
        await call('GetPlatform', { platform_id: 'not-a-uuid' }),
        'INVALID_ARGUMENT',
        'VALIDATION_FAILED',
      );
      expect(violatedFields(notUuid)).toEqual(['platform_id']);
      expectError(await call('GetPlatform', {}), 'INVALID_ARGUMENT', 'VALIDATION_FAILED');
      expectError(
        await call('GetPlatform', { platform_id: UNKNOWN_ID }),
        'NOT_FOUND',
        'PLATFORM_NOT_FOUND',
      );
      const other = newTenantId();
      expectError(
        await call('GetPlatform', { platform_id: created.id }, admin(other)),
        'NOT_FOUND',
        'PLATFORM_NOT_FOUND',
      );
      expectError(
        await call('GetPlatform', { platform_id: created.id }, viewer(other)),
        'NOT_FOUND',
        'PLATFORM_NOT_FOUND',
      );
      expectError(
        await call('GetPlatform', { platform_id: created.id }, integration(tenant)),
        'PERMISSION_DENIED',
        'FORBIDDEN',
      );
      expectError(
        await call('GetPlatform', { platform_id: created.id }, { token: null }),
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
      );
    });
  });

  describe('UpdatePlatform', () => {
    it('OK: a partial change keeps the secret; version grows; a no-op keeps it', async () => {
      const tenant = newTenantId();
      const secret = canarySecret('kept');
      const created = await registered(tenant, { secret });
      const updated = await ok<PlatformMessage>(
        'UpdatePlatform',
        { platform_id: created.id, config: { client_id: guidOf('new-client') } },
        admin(tenant),
      );
      expect(updated.version).toBe(2);
      expect(fromStruct(updated.config).client_id).toBe(guidOf('new-client'));
      expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));

      const same = await ok<PlatformMessage>('UpdatePlatform', {
        platform_id: created.id,
        config: { client_id: guidOf('new-client') },
      });
      expect(same.version).toBe(2);
      const empty = await ok<PlatformMessage>('UpdatePlatform', {
        platform_id: created.id,
        config: {},
      });
      expect(empty.version).toBe(2);

      const resolved = await ok<{ config: { client_secret: string } }>('ResolveCredentials', {
        tenant_id: tenant,
        service_name: 'outlook',
      });
      expect(resolved.config.client_secret).toBe(secret);
    });

    it('OK: additional_data merges (null removes a key); remove flags remove fields', async () => {
      // Gmail: neither its tenant_id (not declared: a secret) nor any additional_data is required.
      const created = await registered(newTenantId(), {
        service_name: 'gmail',
        config: {
          tenant_id: 'gmail-tenant',
          additional_data: toStruct({
            redirect_uri: 'https://app.example.com/callback',
            refresh_token: 'rt-secret-value',
            scopes: ['https://www.googleapis.com/auth/gmail.send'],
          }),
        },
      });
      expect(fromStruct(created.config).tenant_id).toBe(MASK);
      const merged = await ok<PlatformMessage>('UpdatePlatform', {
        platform_id: created.id,
        config: {
          additional_data: toStruct({ scopes: null, region: 'us', hosted_domain: 'example.com' }),
        },
      });
      const mergedData = fromStruct(merged.config).additional_data as Record<string, unknown>;
      expect(mergedData).toEqual({
        redirect_uri: 'https://app.example.com/callback',
        refresh_token: MASK,
        region: MASK, // not declared by gmail
        hosted_domain: 'example.com',
      });

      const removed = await ok<PlatformMessage>('UpdatePlatform', {
        platform_id: created.id,
        config: { remove_tenant_id: true, remove_additional_data: true },
      });
      expect(fromStruct(removed.config)).toEqual({
        client_id: GOOGLE_CLIENT_ID,
        client_secret: MASK,
      });
      expect(removed.version).toBe(3);
    });

    it('with version: OK when current; FAILED_PRECONDITION when stale, nothing written', async () => {
      const created = await registered();
      const updated = await ok<PlatformMessage>('UpdatePlatform', {
        platform_id: created.id,
        config: { client_id: guidOf('v2') },
        version: 1,
      });
      expect(updated.version).toBe(2);
      const stale = expectError(
        await call('UpdatePlatform', {
          platform_id: created.id,
          config: { client_id: guidOf('lost') },
          version: 1,
        }),
        'FAILED_PRECONDITION',
        'VERSION_CONFLICT',
      );
      expect(stale.error?.details).toMatch(/is at version 2, not the expected one/);
      const got = await ok<PlatformMessage>('GetPlatform', { platform_id: created.id });
      expect(got.version).toBe(2);
      expect(fromStruct(got.config).client_id).toBe(guidOf('v2'));
    });

    it('INVALID_ARGUMENT for a missing config, empty credentials, contradictory flags, bad version', async () => {
      const created = await registered();
      const cases: [string, object, string, string[]][] = [
        ['no config', { platform_id: created.id }, 'VALIDATION_FAILED', ['config']],
        [
          'empty secret',
          { platform_id: created.id, config: { client_secret: '' } },
          'INVALID_PLATFORM_CONFIG',
          ['config.client_secret'],
        ],
        [
          'tenant_id and remove_tenant_id',
          {
            platform_id: created.id,
            config: { tenant_id: 'fabrikam.onmicrosoft.com', remove_tenant_id: true },
          },
          'INVALID_PLATFORM_CONFIG',
          ['config.remove_tenant_id'],
        ],
        [
          'removing the tenant_id outlook requires',
          { platform_id: created.id, config: { remove_tenant_id: true } },
          'INVALID_PLATFORM_CONFIG',
          ['config.tenant_id'],
        ],
        [
          'additional_data and remove_additional_data',
          {
            platform_id: created.id,
            config: { additional_data: toStruct({ a: 1 }), remove_additional_data: true },
          },
          'INVALID_PLATFORM_CONFIG',
          ['config.remove_additional_data'],
        ],
        [
          'version 0',
          { platform_id: created.id, config: {}, version: 0 },
          'VALIDATION_FAILED',
          ['version'],
        ],
        ['not a uuid', { platform_id: 'x', config: {} }, 'VALIDATION_FAILED', ['platform_id']],
      ];
      for (const [name, request, errorCode, fields] of cases) {
        const outcome = await call('UpdatePlatform', request);
        expect({ name, status: outcome.status, errorCode: outcome.errorCode }).toEqual({
          name,
          status: 'INVALID_ARGUMENT',
          errorCode,
        });
        expectError(outcome, 'INVALID_ARGUMENT', errorCode);
        expect({ name, fields: violatedFields(outcome) }).toEqual({ name, fields });
      }
      expect((await ok<PlatformMessage>('GetPlatform', { platform_id: created.id })).version).toBe(
        1,
      );
    });

    it('NOT_FOUND, PERMISSION_DENIED and UNAUTHENTICATED', async () => {
      const tenant = newTenantId();
      const created = await registered(tenant);
      const request = { platform_id: created.id, config: { client_id: guidOf('x') } };
      expectError(
        await call('UpdatePlatform', { ...request, platform_id: UNKNOWN_ID }),
        'NOT_FOUND',
        'PLATFORM_NOT_FOUND',
      );
      expectError(
        await call('UpdatePlatform', request, admin(newTenantId())),
        'NOT_FOUND',
        'PLATFORM_NOT_FOUND',
      );
      expectError(
        await call('UpdatePlatform', request, viewer(tenant)),
        'PERMISSION_DENIED',
        'FORBIDDEN',
      );
      expectError(
        await call('UpdatePlatform', request, { token: null }),
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
      );
    });
  });

  describe('DeactivatePlatform and ActivatePlatform', () => {
    it('OK, idempotent, each change one version', async () => {
      const tenant = newTenantId();
      const created = await registered(tenant);
      const id = { platform_id: created.id };
      const off = await ok<ChangeMessage>('DeactivatePlatform', id, admin(tenant));
      expect(off).toMatchObject({ success: true, message: 'Platform deactivated' });
      expect(off.platform).toMatchObject({ is_active: false, version: 2 });
      expectPlatformMessage(off.platform);
      const offAgain = await ok<ChangeMessage>('DeactivatePlatform', id, admin(tenant));
      expect(offAgain.message).toBe('Platform was already inactive');
      expect(offAgain.platform.version).toBe(2);

      const on = await ok<ChangeMessage>('ActivatePlatform', id, admin(tenant));
      expect(on).toMatchObject({ success: true, message: 'Platform activated' });
      expect(on.platform).toMatchObject({ is_active: true, version: 3 });
      const onAgain = await ok<ChangeMessage>('ActivatePlatform', id, admin(tenant));
      expect(onAgain.message).toBe('Platform was already active');
      expect(onAgain.platform.version).toBe(3);
    });

    it.each(['DeactivatePlatform', 'ActivatePlatform'] as const)(
      '%s: INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED',
      async (method) => {
        const tenant = newTenantId();
        const created = await registered(tenant);
        const id = { platform_id: created.id };
        expectError(
          await call(method, { platform_id: 'nope' }),
          'INVALID_ARGUMENT',
          'VALIDATION_FAILED',
        );
        expectError(
          await call(method, { platform_id: UNKNOWN_ID }),
          'NOT_FOUND',
          'PLATFORM_NOT_FOUND',
        );
        expectError(
          await call(method, id, admin(newTenantId())),
          'NOT_FOUND',
          'PLATFORM_NOT_FOUND',
        );
        expectError(await call(method, id, viewer(tenant)), 'PERMISSION_DENIED', 'FORBIDDEN');
        expectError(await call(method, id, integration(tenant)), 'PERMISSION_DENIED', 'FORBIDDEN');
        expectError(await call(method, id, { token: null }), 'UNAUTHENTICATED', 'UNAUTHENTICATED');
      },
    );
  });

  describe('ListPlatforms', () => {
    it('OK: pages in registration order with next_cursor; filters; the same as REST', async () => {
      const tenant = newTenantId();
      const created: PlatformMessage[] = [];
      for (const service_name of ['gmail', 'outlook', 'slack', 'microsoft-teams', 'zendesk']) {
        created.push(await registered(tenant, { service_name }));
      }
      await ok('DeactivatePlatform', { platform_id: (created[2] as PlatformMessage).id });

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page: ListMessage = await ok<ListMessage>(
          'ListPlatforms',
          { tenant_id: tenant, limit: 2, ...(cursor !== undefined && { cursor }) },
          viewer(tenant),
        );
        page.platforms.forEach((platform) => expectPlatformMessage(platform));
        seen.push(...page.platforms.map((platform) => platform.id));
        cursor = page.next_cursor;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBe(3);
      expect(seen).toEqual(created.map((platform) => platform.id));

      const active = await ok<ListMessage>('ListPlatforms', { tenant_id: tenant, is_active: true });
      expect(active.platforms.map((p) => p.service_name)).toEqual([
        'gmail',
        'outlook',
        'microsoft-teams',
        'zendesk',
      ]);
      const inactive = await ok<ListMessage>('ListPlatforms', {
        tenant_id: tenant,
        is_active: false,
      });
      expect(inactive.platforms.map((p) => p.service_name)).toEqual(['slack']);
      const zendesk = await ok<ListMessage>('ListPlatforms', {
        tenant_id: tenant,
        service_name: 'zendesk',
      });
      expect(zendesk.platforms.map((p) => p.service_name)).toEqual(['zendesk']);
      expect(zendesk.next_cursor).toBeUndefined();

      // The caller's own tenant by default.
      const mine = await ok<ListMessage>('ListPlatforms', {}, admin(tenant));
      expect(mine.platforms).toHaveLength(5);

      const rest = await http(hybrid.app).get(API).query({ tenant_id: tenant, limit: 3 });
      const grpc = await ok<ListMessage>('ListPlatforms', { tenant_id: tenant, limit: 3 });
      expect({
        platforms: grpc.platforms.map((platform) => platformAsJson(platform as never)),
        next_cursor: grpc.next_cursor ?? null,
      }).toEqual(rest.body);
    });

    it('INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED', async () => {
      const tenant = newTenantId();
      const cases: [string, object, string[]][] = [
        ['limit 0', { tenant_id: tenant, limit: 0 }, ['limit']],
        ['limit 201', { tenant_id: tenant, limit: 201 }, ['limit']],
        ['bad tenant', { tenant_id: 'acme' }, ['tenant_id']],
        ['bad service', { tenant_id: tenant, service_name: 'Bad Name' }, ['service_name']],
        ['bad cursor', { tenant_id: tenant, cursor: 'not-a-cursor' }, ['cursor']],
      ];
      for (const [name, request, fields] of cases) {
        const outcome = await call('ListPlatforms', request);
        expect({ name, status: outcome.status }).toEqual({ name, status: 'INVALID_ARGUMENT' });
        expectError(outcome, 'INVALID_ARGUMENT', 'VALIDATION_FAILED');
        expect({ name, fields: violatedFields(outcome) }).toEqual({ name, fields });
      }
      expectError(
        await call('ListPlatforms', { tenant_id: newTenantId() }, admin(tenant)),
        'PERMISSION_DENIED',
        'FORBIDDEN',
      );
      expectError(
        await call('ListPlatforms', { tenant_id: tenant }, integration(tenant)),
        'PERMISSION_DENIED',
        'FORBIDDEN',
      );
      expectError(
        await call('ListPlatforms', { tenant_id: tenant }, { token: null }),
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
      );
    });
  });

  it('larger than 64 KiB: RESOURCE_EXHAUSTED before any handler runs', async () => {
    const tenant = newTenantId();
    const outcome = await call(
      'RegisterPlatform',
      registerRequest(tenant, {
        config: { additional_data: toStruct({ blob: 'x'.repeat(70_000) }) },
      }),
    );
    expect(outcome.status).toBe('RESOURCE_EXHAUSTED');
    expect((await ok<ListMessage>('ListPlatforms', { tenant_id: tenant })).platforms).toEqual([]);
  });

  it('a canary secret never appears in any management answer or error (any encoding)', async () => {
    const tenant = newTenantId();
    const secret = canarySecret('grpc-canary');
    const refresh = canarySecret('grpc-refresh');
    const created = await ok<ChangeMessage>(
      'RegisterPlatform',
      registerRequest(tenant, {
        secret,
        config: {
          additional_data: toStruct({ refresh_token: refresh, deep: { password: refresh } }),
        },
      }),
    );
    const id = created.platform.id;
    await ok('GetPlatform', { platform_id: id });
    await ok('ListPlatforms', { tenant_id: tenant });
    await ok('UpdatePlatform', { platform_id: id, config: { client_secret: secret } });
    await call('UpdatePlatform', {
      platform_id: id,
      config: { client_secret: secret },
      version: 99,
    });
    await call('UpdatePlatform', {
      platform_id: id,
      config: { client_secret: secret, additional_data: { fields: { bad: {} } } },
    });
    await call('RegisterPlatform', registerRequest(tenant, { secret }));
    await call('RegisterPlatform', { ...registerRequest(tenant, { secret }), tenant_id: secret });
    await ok('DeactivatePlatform', { platform_id: id });
    await ok('ActivatePlatform', { platform_id: id });
    await ok('ListPlatforms', {});

    const text = answers.join('\n');
    expect(text).toContain(id);
    for (const value of [secret, refresh]) {
      for (const form of [
        value,
        Buffer.from(value).toString('base64'),
        Buffer.from(value).toString('hex'),
      ]) {
        expect(text).not.toContain(form);
      }
    }
  });

  it('every RPC of the service answers (no UNIMPLEMENTED) and UNKNOWN never appears', async () => {
    const statuses = answers.length;
    expect(statuses).toBeGreaterThan(50);
    const outcome = await call('ResolveCredentials', { tenant_id: 'x', service_name: 'y' });
    expect(outcome.status).toBe('INVALID_ARGUMENT');
    expect(answers.join('\n')).not.toMatch(/"code":2[,}]/);
  });
});
