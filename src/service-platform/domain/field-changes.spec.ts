import fc from 'fast-check';
import { diffFields } from './field-changes';

describe('diffFields', () => {
  it('lists changed, added and removed fields by dotted path', () => {
    expect(
      diffFields(
        'config',
        { client_id: 'a', tenant_id: 't', additional_data: { region: 'eu', scopes: ['x'] } },
        { client_id: 'b', additional_data: { region: 'eu', scopes: ['x', 'y'], tier: 2 } },
      ),
    ).toEqual({
      'config.client_id': { before: 'a', after: 'b' },
      'config.tenant_id': { before: 't', after: null },
      'config.additional_data.scopes': { before: ['x'], after: ['x', 'y'] },
      'config.additional_data.tier': { before: null, after: 2 },
    });
  });

  it('nothing for equal values, whatever the key order', () => {
    expect(diffFields('config', { a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toEqual(
      {},
    );
  });

  it('a new object is listed field by field', () => {
    expect(diffFields('config', undefined, { client_id: 'a', client_secret: 's' })).toEqual({
      'config.client_id': { before: null, after: 'a' },
      'config.client_secret': { changed: true },
    });
  });

  it('secret keys, secret-looking values and objects holding them show only {changed: true}', () => {
    expect(
      diffFields(
        'config',
        {
          client_secret: 'one',
          additional_data: { api_key: 'k1', note: 'plain', nested: { password: 'p' } },
        },
        {
          client_secret: 'two',
          additional_data: {
            api_key: 'k2',
            note: 'postgres://user:hunter2@db/app',
            nested: 'now a string',
          },
        },
      ),
    ).toEqual({
      'config.client_secret': { changed: true },
      'config.additional_data.api_key': { changed: true },
      'config.additional_data.note': { changed: true },
      'config.additional_data.nested': { changed: true },
    });
  });

  it('keys named like Object methods are data', () => {
    expect(diffFields('config', {}, { toString: 'x', constructor: 1 })).toEqual({
      'config.constructor': { before: null, after: 1 },
      'config.toString': { before: null, after: 'x' },
    });
  });

  it('never records a value found under a secret-looking key (property)', () => {
    const secretKey = fc.constantFrom('client_secret', 'password', 'refresh_token', 'api_key');
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
        secretKey,
        fc.string({ minLength: 12, maxLength: 20 }),
        fc.string({ minLength: 12, maxLength: 20 }),
        (plain, key, before, after) => {
          fc.pre(before !== after);
          const changes = diffFields(
            'config',
            { ...plain, [key]: before },
            { ...plain, [key]: after, extra: { [key]: after } },
          );
          const text = JSON.stringify(changes);
          return !text.includes(JSON.stringify(before)) && !text.includes(JSON.stringify(after));
        },
      ),
    );
  });
});
