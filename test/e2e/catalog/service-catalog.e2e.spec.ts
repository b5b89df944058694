import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { BUILT_IN_SERVICES } from '../../../src/service-platform/domain/catalog/built-in';
import {
  fieldsOf,
  type ServiceDefinition,
} from '../../../src/service-platform/domain/catalog/service-definition';
import { tokenFor } from '../../support/auth';
import {
  BUILT_IN_SERVICE_NAMES,
  OUTLOOK_CLIENT_ID,
  canarySecret,
  guidOf,
  newTenantId,
  validConfig,
} from '../../support/fixtures';
import {
  callRpc,
  createPlatformClient,
  fromStruct,
  type PlatformServiceClient,
  type Struct,
} from '../../support/grpc-client';
import { startHybridTestApp, type HybridTestApp } from '../../support/test-app';
import { API, MASK, expectErrorBody, fieldsOf as detailFields, http } from '../e2e-helpers';

const SERVICES = '/api/v1/services';

/** A service a host app adds through the module options. */
const ACME_CRM: ServiceDefinition = {
  name: 'acme-crm',
  displayName: 'Acme CRM',
  docs: [{ title: 'Acme API keys', url: 'https://developer.acme.example/keys' }],
  config: {
    client_id: { schema: { type: 'string', pattern: '^acme-' }, public: true },
    client_secret: { schema: { type: 'string', minLength: 20 } },
  },
  additional_data: {
    region: { schema: { type: 'string', enum: ['eu', 'us'] }, public: true, required: true },
  },
};

/** A host app's Slack, replacing the built-in one: only a webhook URL (and still secret). */
const SLACK_OVERRIDE: ServiceDefinition = {
  name: 'slack',
  displayName: 'Slack (incoming webhooks only)',
  docs: [],
  config: {
    client_id: { schema: { type: 'string' }, public: true },
    client_secret: { schema: { type: 'string' } },
  },
  additional_data: {
    incoming_webhook_url: { schema: { type: 'string', format: 'uri' }, required: true },
  },
};

/** The keys the adversarial review found in plaintext: secret for every service. */
const REVIEW_KEYS = ['pass', 'smtp_pass', 'passcode', 'client_assertion', 'webhook_url'];

interface ServiceJson {
  name: string;
  display_name: string;
  description: string;
  docs: { title: string; url: string }[];
  schema: Record<string, unknown>;
  required_fields: string[];
  public_fields: string[];
  secret_fields: string[];
}

describe('service catalog (REST and gRPC)', () => {
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;
  let sql: Client;
  const app = (): INestApplication => hybrid.app;

  beforeAll(async () => {
    hybrid = await startHybridTestApp('fastify', {}, { catalog: { services: [ACME_CRM] } });
    client = createPlatformClient(hybrid.address);
    sql = new Client({ connectionString: process.env.DATABASE_URL });
    await sql.connect();
  });
  afterAll(async () => {
    client?.close();
    await sql?.end();
    await hybrid?.app.close();
  });

  const register = (service: string, config: unknown, tenantId = newTenantId()) =>
    http(app()).post(API).send({ tenant_id: tenantId, service_name: service, config });

  describe('GET /services and /services/{name}', () => {
    it('lists every built-in service and the host’s, each with schema, fields and doc links', async () => {
      const res = await http(app(), {
        as: { tenantId: newTenantId(), roles: ['tenant-viewer'] },
      }).get(SERVICES);
      expect(res.status).toBe(200);
      const services = (res.body as { services: ServiceJson[] }).services;
      expect(services.map((service) => service.name)).toEqual(
        [...BUILT_IN_SERVICE_NAMES, 'acme-crm'].sort(),
      );
      for (const service of services) {
        expect(Object.keys(service).sort()).toEqual([
          'description',
          'display_name',
          'docs',
          'name',
          'public_fields',
          'required_fields',
          'schema',
          'secret_fields',
        ]);
        expect(service.schema).toMatchObject({ type: 'object', additionalProperties: false });
        expect(service.required_fields).toEqual(
          expect.arrayContaining(['client_id', 'client_secret']),
        );
        expect(service.secret_fields).toContain('client_secret');
        expect(service.public_fields).not.toContain('client_secret');
        if (service.name !== 'acme-crm') expect(service.docs.length).toBeGreaterThan(0);
        for (const link of service.docs) expect(link.url).toMatch(/^https:\/\//);
      }
    });

    it('one service: the schema a form renders, secrets writeOnly', async () => {
      const res = await http(app()).get(`${SERVICES}/whatsapp`);
      expect(res.status).toBe(200);
      const service = res.body as ServiceJson;
      expect(service.required_fields).toEqual(
        expect.arrayContaining([
          'additional_data.access_token',
          'additional_data.phone_number_id',
          'additional_data.waba_id',
        ]),
      );
      expect(service.public_fields).toEqual(
        expect.arrayContaining(['additional_data.phone_number_id', 'additional_data.waba_id']),
      );
      expect(service.secret_fields).toEqual(
        expect.arrayContaining([
          'client_secret',
          'additional_data.access_token',
          'additional_data.webhook_verify_token',
        ]),
      );
      const properties = service.schema.properties as Record<string, Record<string, unknown>>;
      expect(properties.client_secret).toMatchObject({ type: 'string', writeOnly: true });
      expect(
        (properties.additional_data?.properties as Record<string, unknown>).phone_number_id,
      ).toMatchObject({ type: 'string', pattern: '^[0-9]+$' });
    });

    it('401 without a token, 403 without a known role, 404 for an unknown service', async () => {
      expectErrorBody(await http(app(), { token: null }).get(SERVICES), 401, 'UNAUTHENTICATED');
      expectErrorBody(
        await http(app(), { as: { tenantId: newTenantId(), roles: ['auditor'] } }).get(SERVICES),
        403,
        'FORBIDDEN',
      );
      for (const name of ['nope', 'Outlook', 'a'.repeat(300)]) {
        expectErrorBody(await http(app()).get(`${SERVICES}/${name}`), 404, 'SERVICE_NOT_FOUND');
      }
    });

    it('gRPC ListServices and GetService answer the same as REST', async () => {
      const rest = (await http(app()).get(SERVICES)).body as { services: ServiceJson[] };
      const listed = await callRpc<{ services: (ServiceJson & { schema: Struct })[] }>(
        client,
        'ListServices',
        {},
        { as: { tenantId: newTenantId(), roles: ['integration'] } },
      );
      expect(listed.status).toBe('OK');
      const services = (listed.value?.services ?? []).map((service) => ({
        ...service,
        schema: fromStruct(service.schema),
      }));
      expect(services).toEqual(rest.services);
      const one = await callRpc<ServiceJson & { schema: Struct }>(client, 'GetService', {
        name: 'twilio',
      });
      expect({ ...one.value, schema: fromStruct(one.value?.schema as Struct) }).toEqual(
        rest.services.find((service) => service.name === 'twilio'),
      );
      const missing = await callRpc(client, 'GetService', { name: 'nope' });
      expect([missing.status, missing.errorCode]).toEqual(['NOT_FOUND', 'SERVICE_NOT_FOUND']);
      expect((await callRpc(client, 'ListServices', {}, { token: null })).status).toBe(
        'UNAUTHENTICATED',
      );
    });
  });

  describe.each(BUILT_IN_SERVICES.map((service) => [service.name, service] as const))(
    'validation: %s',
    (name, definition) => {
      it('a valid configuration registers', async () => {
        const res = await register(name, validConfig(name));
        expect(res.status).toBe(201);
      });

      const required = fieldsOf(definition).filter((field) => field.required);
      it.each(required.map((field) => field.path))(
        'without %s: 400 INVALID_PLATFORM_CONFIG naming config.<field>, nothing written',
        async (path) => {
          const config = validConfig(name);
          const [top, inner] = path.split('.') as [string, string | undefined];
          if (inner === undefined) delete config[top];
          else delete (config[top] as Record<string, unknown>)[inner];
          const tenantId = newTenantId();
          const res = await register(name, config, tenantId);
          const error = expectErrorBody(res, 400);
          expect(['INVALID_PLATFORM_CONFIG']).toContain(error.code);
          expect(error.details).toContainEqual({ field: `config.${path}`, message: 'is required' });
          const { rows } = await sql.query('SELECT 1 FROM service_platforms WHERE tenant_id = $1', [
            tenantId,
          ]);
          expect(rows).toEqual([]);
        },
      );
    },
  );

  it('a value of the wrong format is named by its path, its value never quoted', async () => {
    const res = await register(
      'twilio',
      validConfig('twilio', {
        client_id: 'not-an-account-sid-canary',
        additional_data: { api_key_sid: 'SK-canary' },
      }),
    );
    const error = expectErrorBody(res, 400, 'INVALID_PLATFORM_CONFIG');
    expect(detailFields(error)).toEqual(
      expect.arrayContaining([
        'config.client_id',
        'config.additional_data.api_key_sid',
        // An API key SID without its secret.
        'config.additional_data.api_key_secret',
      ]),
    );
    expect(res.text).not.toContain('canary');
  });

  it('gRPC: a missing required field is INVALID_ARGUMENT with the same field violation', async () => {
    const config = validConfig('zendesk');
    delete config.additional_data;
    const outcome = await callRpc(client, 'RegisterPlatform', {
      tenant_id: newTenantId(),
      service_name: 'zendesk',
      config,
    });
    expect(outcome.status).toBe('INVALID_ARGUMENT');
    expect(outcome.errorCode).toBe('INVALID_PLATFORM_CONFIG');
    expect(outcome.rich?.fieldViolations).toContainEqual({
      field: 'config.additional_data.subdomain',
      description: 'is required',
    });
  });

  it('an update that breaks a required field: 400, nothing changed', async () => {
    const created = await register('outlook', validConfig('outlook'));
    const id = (created.body as { platform: { id: string } }).platform.id;
    const res = await http(app())
      .put(`${API}/${id}`)
      .send({ config: { tenant_id: null, client_id: guidOf('other') } });
    const error = expectErrorBody(res, 400, 'INVALID_PLATFORM_CONFIG');
    expect(error.details).toContainEqual({ field: 'config.tenant_id', message: 'is required' });
    const read = await http(app()).get(`${API}/${id}`);
    expect(read.body).toMatchObject({ version: 1, config: { client_id: OUTLOOK_CLIENT_ID } });
    const { rows } = await sql.query(
      'SELECT count(*)::int AS n FROM outbox_events WHERE platform_id = $1',
      [id],
    );
    expect(rows).toEqual([{ n: 1 }]);
    // A valid update still goes through.
    const ok = await http(app())
      .put(`${API}/${id}`)
      .send({ config: { client_id: guidOf('other') } });
    expect(ok.status).toBe(200);
  });

  describe('unknown services and host-defined ones', () => {
    it('an unknown service is refused by default', async () => {
      const res = await register('myspace', { client_id: 'c', client_secret: 's' });
      const error = expectErrorBody(res, 400, 'VALIDATION_FAILED');
      expect(error.details).toEqual([
        {
          field: 'service_name',
          message: 'is not a service of the catalog (GET /api/v1/services lists them)',
        },
      ]);
    });

    it('a host-defined service is validated, listed and masked by its own definition', async () => {
      expectErrorBody(
        await register('acme-crm', { client_id: 'acme-1', client_secret: 'short' }),
        400,
        'INVALID_PLATFORM_CONFIG',
      );
      const secret = canarySecret('acme');
      const res = await register('acme-crm', {
        client_id: 'acme-1',
        client_secret: secret,
        additional_data: { region: 'eu', note: 'undeclared' },
      });
      expect(res.status).toBe(201);
      expect((res.body as { platform: { config: unknown } }).platform.config).toEqual({
        client_id: 'acme-1',
        client_secret: MASK,
        additional_data: { region: 'eu', note: MASK },
      });
      const listed = (await http(app()).get(`${SERVICES}/acme-crm`)).body as ServiceJson;
      expect(listed).toMatchObject({
        display_name: 'Acme CRM',
        required_fields: ['client_id', 'client_secret', 'additional_data.region'],
        public_fields: ['client_id', 'additional_data.region'],
      });
    });

    it.each([
      ['a built-in service', 'outlook', () => validConfig('outlook')],
      [
        'a host-defined service',
        'acme-crm',
        () => ({
          client_id: 'acme-2',
          client_secret: canarySecret('acme-secret'),
          additional_data: { region: 'us' },
        }),
      ],
    ])('the review’s five keys stay secret for %s', async (_kind, service, config) => {
      const canaries = Object.fromEntries(REVIEW_KEYS.map((key) => [key, canarySecret(key)]));
      const base = config() as { additional_data?: Record<string, unknown> };
      const res = await register(service, {
        ...base,
        additional_data: { ...base.additional_data, ...canaries },
      });
      expect(res.status).toBe(201);
      const platform = (
        res.body as {
          platform: { id: string; config: { additional_data: Record<string, unknown> } };
        }
      ).platform;
      for (const key of REVIEW_KEYS) expect(platform.config.additional_data[key]).toBe(MASK);
      const read = await http(app()).get(`${API}/${platform.id}`);
      for (const value of Object.values(canaries)) expect(read.text).not.toContain(value);
    });

    it('an override replaces the built-in service of the same name', async () => {
      const other = await startHybridTestApp(
        'fastify',
        {},
        { catalog: { services: [SLACK_OVERRIDE], allowUnknownServices: true } },
      );
      try {
        const listed = (await http(other.app).get(`${SERVICES}/slack`)).body as ServiceJson;
        expect(listed.display_name).toBe('Slack (incoming webhooks only)');
        // The built-in Slack needs a signing secret and a bot token; this one does not.
        const res = await http(other.app)
          .post(API)
          .send({
            tenant_id: newTenantId(),
            service_name: 'slack',
            config: {
              client_id: 'c',
              client_secret: 's',
              additional_data: { incoming_webhook_url: 'https://hooks.slack.com/services/T/B/x' },
            },
          });
        expect(res.status).toBe(201);
        expect(
          (res.body as { platform: { config: { additional_data: Record<string, unknown> } } })
            .platform.config.additional_data.incoming_webhook_url,
        ).toBe(MASK);

        // And unknown services are accepted when allowed, with the generic rules.
        const unknown = await http(other.app)
          .post(API)
          .send({
            tenant_id: newTenantId(),
            service_name: 'myspace',
            config: {
              client_id: 'c',
              client_secret: 's',
              tenant_id: 'mine',
              additional_data: {
                region: 'eu',
                ...Object.fromEntries(REVIEW_KEYS.map((k) => [k, 'v'])),
              },
            },
          });
        expect(unknown.status).toBe(201);
        expect((unknown.body as { platform: { config: unknown } }).platform.config).toEqual({
          client_id: 'c',
          client_secret: MASK,
          tenant_id: MASK,
          additional_data: {
            region: MASK,
            ...Object.fromEntries(REVIEW_KEYS.map((k) => [k, MASK])),
          },
        });
        // Generic rules: client_id and client_secret required.
        const missing = await http(other.app)
          .post(API)
          .send({ tenant_id: newTenantId(), service_name: 'myspace', config: { client_id: 'c' } });
        expect(detailFields(expectErrorBody(missing, 400, 'INVALID_PLATFORM_CONFIG'))).toEqual([
          'config.client_secret',
        ]);
        expect((await http(other.app).get(`${SERVICES}/myspace`)).status).toBe(404);
      } finally {
        await other.app.close();
      }
    });

    it('the demo app allows unknown services with CATALOG_ALLOW_UNKNOWN_SERVICES=true', async () => {
      const open = await startHybridTestApp('fastify', { CATALOG_ALLOW_UNKNOWN_SERVICES: 'true' });
      try {
        const res = await http(open.app)
          .post(API)
          .send({
            tenant_id: newTenantId(),
            service_name: 'myspace',
            config: { client_id: 'c', client_secret: 's' },
          });
        expect(res.status).toBe(201);
        expect((res.body as { platform: { config: unknown } }).platform.config).toEqual({
          client_id: 'c',
          client_secret: MASK,
        });
      } finally {
        await open.app.close();
      }
    });
  });

  it('a platform-admin token is not needed: tenant roles read the catalog too', async () => {
    const token = tokenFor({ tenantId: newTenantId(), roles: ['tenant-admin'] });
    expect((await http(app(), { token }).get(`${SERVICES}/outlook`)).status).toBe(200);
    const res = await callRpc(client, 'GetService', { name: 'gmail' }, { token });
    expect(res.status).toBe('OK');
  });
});
