import { ServiceNotFoundError } from '../../../src/service-platform/domain/platform.errors';
import type { ServiceDefinition } from '../../../src/service-platform/domain/catalog/service-definition';
import { ServiceCatalog } from '../../../src/service-platform/application/catalog/service-catalog';
import { AjvConfigSchemaValidator } from '../../../src/service-platform/infrastructure/catalog/ajv-config-schema.validator';
import { testCatalog } from '../../support/catalog';

const minimal = (name: string, extra: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
  name,
  displayName: name,
  docs: [],
  config: {
    client_id: { schema: { type: 'string' }, public: true },
    client_secret: { schema: { type: 'string' } },
  },
  ...extra,
});

describe('ServiceCatalog', () => {
  it('knows the ten built-in services, by name', () => {
    expect(
      testCatalog()
        .list()
        .map((service) => service.name),
    ).toEqual([
      'gmail',
      'google-calendar',
      'hubspot',
      'microsoft-teams',
      'outlook',
      'salesforce',
      'slack',
      'twilio',
      'whatsapp',
      'zendesk',
    ]);
  });

  it('refuses, at start-up, a definition with a bad name or a broken schema, naming it', () => {
    expect(() => testCatalog({ services: [minimal('Bad Name')] })).toThrow(
      /'Bad Name' is not a service name/,
    );
    expect(() =>
      testCatalog({
        services: [
          minimal('typo', {
            additional_data: { region: { schema: { type: 'string', patern: '^x' } } },
          }),
        ],
      }),
    ).toThrow(/the definition of 'typo' is not valid: strict mode: unknown keyword: "patern"/);
    expect(() =>
      testCatalog({
        services: [
          minimal('wrong-type', {
            config: { ...minimal('x').config, tenant_id: { schema: { type: 'strnig' } } },
          }),
        ],
      }),
    ).toThrow(/the definition of 'wrong-type' is not valid/);
  });

  it('describe(): a known service, or ServiceNotFoundError', () => {
    expect(testCatalog().describe('outlook').displayName).toMatch(/Outlook/);
    expect(() => testCatalog().describe('nope')).toThrow(ServiceNotFoundError);
  });

  it('unknown services: refused unless allowed, then the generic rules', () => {
    expect(() => testCatalog().assertRegistrable('myspace')).toThrow(
      /not a service of the catalog/,
    );
    const open = testCatalog({ allowUnknownServices: true });
    expect(() => open.assertRegistrable('myspace')).not.toThrow();
    const policy = open.secretsOf('myspace');
    expect(policy.isPublic('client_id')).toBe(true);
    for (const path of ['client_secret', 'tenant_id', 'additional_data.region']) {
      expect(policy.isPublic(path)).toBe(false);
    }
  });

  it('unknown services share one compiled schema, however many names there are', () => {
    const validator = new AjvConfigSchemaValidator();
    const compile = jest.spyOn(validator, 'compile');
    const open = new ServiceCatalog({ allowUnknownServices: true }, validator);
    const atStart = compile.mock.calls.length;
    for (let i = 0; i < 2_500; i++) {
      open.assertValid(`unknown-${i}`, { client_id: 'c', client_secret: 's' });
      expect(open.secretsOf(`unknown-${i}`).isPublic('client_id')).toBe(true);
    }
    expect(compile.mock.calls.length - atStart).toBe(1);
    expect(() => open.assertValid('unknown-7', { client_id: 'c' })).toThrow(/client_secret/);
  });

  it('names fields by the paths clients write, keys with / and ~ included', () => {
    const catalog = testCatalog({
      services: [
        minimal('paths', {
          additional_data: { 'a/b~c': { schema: { type: 'integer' }, required: true } },
        }),
      ],
    });
    expect(() =>
      catalog.assertValid('paths', {
        client_id: 'c',
        client_secret: 's',
        additional_data: { 'a/b~c': 'x' },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_PLATFORM_CONFIG',
        details: [{ field: 'config.additional_data.a/b~c', message: 'must be an integer' }],
      }),
    );
    // No additional_data at all: the missing fields inside it are named.
    expect(() => catalog.assertValid('paths', { client_id: 'c', client_secret: 's' })).toThrow(
      expect.objectContaining({
        details: [{ field: 'config.additional_data.a/b~c', message: 'is required' }],
      }),
    );
  });

  it('a host definition replaces the built-in one of the same name', () => {
    const catalog = testCatalog({ services: [minimal('outlook', { displayName: 'Mine' })] });
    expect(catalog.describe('outlook').displayName).toBe('Mine');
    expect(catalog.list()).toHaveLength(10);
    expect(() =>
      catalog.assertValid('outlook', { client_id: 'x', client_secret: 's' }),
    ).not.toThrow();
  });
});
