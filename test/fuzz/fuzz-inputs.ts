// Arbitraries of the API fuzz suites (not a test file): hostile values of every kind the
// issue names, mixed with valid ones so that requests also get past the first check.
import fc from 'fast-check';

/** Strings that broke or could break a layer: NUL, lone surrogates, huge, path tricks, ... */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udc00x',
    'x\udbff',
    '\uffff',
    '\u202e',
    '../../etc/passwd',
    '%00',
    '%ED%A0%80',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '********',
    '${jndi:ldap://x}',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '1e999',
    'NaN',
    'null',
    '0000-01-01T00:00:00.000Z',
    '-000001-01-01T00:00:00.000Z',
    '+275760-09-13T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '00000000-0000-0000-0000-000000000000',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.nat({ max: 70_000 }).map((length) => 'x'.repeat(length)),
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    0.5,
    -0.5,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e300,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, biased towards hostile leaves; bounded in size. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.string({ maxLength: 8 })), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

export const uuid = fc.uuid({ version: [4, 7] });

/** A valid config, with additional data of any JSON (keys and values included). */
export const validConfig: fc.Arbitrary<unknown> = fc.record(
  {
    client_id: fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim() !== ''),
    client_secret: fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim() !== ''),
    tenant_id: fc.constantFrom('contoso.onmicrosoft.com', '8f1d9a5e-1f0c-4a7b-9d21-0b5e5bd66c43'),
    additional_data: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), hostileJson, {
      maxKeys: 4,
    }),
  },
  { requiredKeys: ['client_id', 'client_secret'] },
);

/** A config as clients send it: valid fields, any field replaced, dropped or added at random. */
export const configLike: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: validConfig },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.record(
          {
            client_id: fc.oneof(fc.constant('client-id'), hostileString, hostileJson),
            client_secret: fc.oneof(fc.constant('secret-value'), hostileString, hostileJson),
            tenant_id: fc.oneof(fc.constant('contoso.onmicrosoft.com'), hostileString, hostileJson),
            additional_data: fc.oneof(
              fc.dictionary(fc.oneof(hostileString, fc.string({ maxLength: 12 })), hostileJson, {
                maxKeys: 5,
              }),
              hostileJson,
            ),
          },
          { requiredKeys: [] },
        ),
        fc.dictionary(hostileString, hostileJson, { maxKeys: 2 }),
      )
      .map(([config, extra]) => ({ ...extra, ...config })),
  },
  { weight: 1, arbitrary: hostileJson },
);

/** A JSON text as a client could send it: valid, truncated, with duplicate or prototype keys. */
export function jsonTexts(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: valid.map((value) => JSON.stringify(value) ?? 'null') },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat()).map(([value, cut]) => {
        const text = JSON.stringify(value) ?? 'null';
        return text.slice(0, cut % Math.max(1, text.length));
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.constantFrom('tenant_id', 'config', 'client_secret', 'service_name'))
        .map(([value, key]) => {
          const text = JSON.stringify(value) ?? '{}';
          return text.startsWith('{') ? `{"${key}":"dup",${text.slice(1)}` : text;
        }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"__proto__":{"isAdmin":true}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '{"config":{"__proto__":{"client_secret":"x"}}}',
        '{"config":{"additional_data":{"__proto__":1}}}',
        '{"tenant_id":"\\u0000","service_name":"outlook","config":{}}',
        '{"tenant_id":"\\ud800"}',
        '{"version":1e999}',
        '{"version":-1e999}',
        '[',
        '{',
        '"',
        'null',
        '[]',
        '{}',
        '1',
        '\ufeff{}',
        '{"a":' + '['.repeat(3000) + ']'.repeat(3000) + '}',
      ),
    },
  );
}

export const contentTypes = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/merge-patch+json',
      'application/json; boundary=x',
      '',
    ),
  },
);

/** `value` now and then (about one time in `every`), else null. */
export function sometimes<T>(value: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | null> {
  return fc.oneof(
    { weight: every - 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: value },
  );
}
