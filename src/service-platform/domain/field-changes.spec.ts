import fc from 'fast-check';
import { SecretPolicy } from './catalog/secret-policy';
import type { ServiceDefinition } from './catalog/service-definition';
import { diffConfigFields } from './field-changes';

/** A service whose client_id, tenant_id, region and scopes are public; the rest secret. */
const DEFINITION: ServiceDefinition = {
  name: 'example',
  displayName: 'Example',
  docs: [],
  config: {
    client_id: { schema: { type: 'string' }, public: true },
    client_secret: { schema: { type: 'string' } },
    tenant_id: { schema: { type: 'string' }, public: true },
  },
  additional_data: {
    region: { schema: { type: 'string' }, public: true },
    scopes: { schema: { type: 'array' }, public: true },
    api_key: { schema: { type: 'string' } },
  },
};
const policy = new SecretPolicy(DEFINITION);

describe('diffConfigFields', () => {
  it('lists changed, added and removed fields by dotted path, public ones with their values', () => {
    expect(
      diffConfigFields(
        'config',
        { client_id: 'a', tenant_id: 't', additional_data: { region: 'eu', scopes: ['x'] } },
        { client_id: 'b', additional_data: { region: 'eu', scopes: ['x', 'y'], tier: 2 } },
        policy,
      ),
    ).toEqual({
      'config.client_id': { before: 'a', after: 'b' },
      'config.tenant_id': { before: 't', after: null },
      'config.additional_data.scopes': { before: ['x'], after: ['x', 'y'] },
      // Not declared: a secret.
      'config.additional_data.tier': { changed: true },
    });
  });

  it('nothing for equal values, whatever the key order', () => {
    expect(
      diffConfigFields(
        'config',
        { client_id: 'a', additional_data: { scopes: ['x'], region: 'eu' } },
        { additional_data: { region: 'eu', scopes: ['x'] }, client_id: 'a' },
        policy,
      ),
    ).toEqual({});
  });

  it('a new configuration is listed field by field', () => {
    expect(
      diffConfigFields('config', undefined, { client_id: 'a', client_secret: 's' }, policy),
    ).toEqual({
      'config.client_id': { before: null, after: 'a' },
      'config.client_secret': { changed: true },
    });
  });

  it('secret fields, undeclared keys and credential-looking public values show only {changed: true}', () => {
    expect(
      diffConfigFields(
        'config',
        {
          client_secret: 'one',
          additional_data: { api_key: 'k1', pass: 'p1', region: 'eu', webhook_url: 'x' },
        },
        {
          client_secret: 'two',
          additional_data: {
            api_key: 'k2',
            pass: 'p2',
            region: 'postgres://user:hunter2@db/app',
            webhook_url: 'y',
          },
        },
        policy,
      ),
    ).toEqual({
      'config.client_secret': { changed: true },
      'config.additional_data.api_key': { changed: true },
      'config.additional_data.pass': { changed: true },
      'config.additional_data.region': { changed: true },
      'config.additional_data.webhook_url': { changed: true },
    });
  });

  it('keys named like Object methods are data', () => {
    expect(
      diffConfigFields(
        'config',
        { additional_data: {} },
        { additional_data: { toString: 'x' } },
        policy,
      ),
    ).toEqual({ 'config.additional_data.toString': { changed: true } });
  });

  it('never records the value of a field the policy does not declare public (property)', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 8 })
          .filter((key) => !['region', 'scopes'].includes(key)),
        fc.string({ minLength: 12, maxLength: 20 }),
        fc.string({ minLength: 12, maxLength: 20 }),
        (key, before, after) => {
          fc.pre(before !== after);
          const changes = diffConfigFields(
            'config',
            { client_secret: before, additional_data: { [key]: before } },
            { client_secret: after, additional_data: { [key]: after } },
            policy,
          );
          const text = JSON.stringify(changes);
          return !text.includes(JSON.stringify(before)) && !text.includes(JSON.stringify(after));
        },
      ),
    );
  });
});
