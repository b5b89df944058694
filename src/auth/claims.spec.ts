import fc from 'fast-check';
import { InvalidClaimsError, MAX_SUB_LENGTH, userFromClaims } from './claims';
import { KNOWN_ROLES } from './roles';

const TENANT = '0b5e5bd6-6c43-4c0b-9d1e-1c1f3f9a2b10';

describe('userFromClaims', () => {
  it('keeps sub, tenant_id and roles (nothing else)', () => {
    expect(
      userFromClaims({
        sub: 'alice',
        tenant_id: TENANT,
        roles: ['tenant-admin', 'integration'],
        iat: 1,
        exp: 2,
        email: 'alice@example.com',
      }),
    ).toEqual({ sub: 'alice', tenant_id: TENANT, roles: ['tenant-admin', 'integration'] });
  });

  it('a platform admin needs no tenant (absent or null); the user then has no tenant_id key', () => {
    for (const tenant of [undefined, null]) {
      const user = userFromClaims({ sub: 'root', tenant_id: tenant, roles: ['platform-admin'] });
      expect(user).toEqual({ sub: 'root', roles: ['platform-admin'] });
      expect(Object.keys(user)).not.toContain('tenant_id');
    }
  });

  it('a platform admin may also carry a tenant', () => {
    expect(userFromClaims({ sub: 'root', tenant_id: TENANT, roles: ['platform-admin'] })).toEqual({
      sub: 'root',
      tenant_id: TENANT,
      roles: ['platform-admin'],
    });
  });

  it('lower-cases tenant_id', () => {
    expect(
      userFromClaims({ sub: 'a', tenant_id: TENANT.toUpperCase(), roles: ['tenant-viewer'] })
        .tenant_id,
    ).toBe(TENANT);
  });

  it('drops unknown roles (case-sensitive) and duplicates, keeps the order of the rest', () => {
    expect(
      userFromClaims({
        sub: 'a',
        tenant_id: TENANT,
        roles: [
          'superuser',
          'tenant-viewer',
          'Platform-Admin',
          42,
          null,
          'tenant-viewer',
          'integration',
        ],
      }).roles,
    ).toEqual(['tenant-viewer', 'integration']);
  });

  it.each([
    ['no roles at all', { sub: 'a', roles: [] }],
    ['a tenant-admin', { sub: 'a', roles: ['tenant-admin'] }],
    ['a tenant-viewer', { sub: 'a', roles: ['tenant-viewer'] }],
    ['an integration', { sub: 'a', roles: ['integration'] }],
    ['only unknown roles', { sub: 'a', roles: ['superuser', 'PLATFORM-ADMIN'] }],
    ['a tenant-admin with tenant_id null', { sub: 'a', roles: ['tenant-admin'], tenant_id: null }],
  ])('refuses %s without tenant_id', (_name, claims) => {
    expect(() => userFromClaims(claims)).toThrow(
      new InvalidClaimsError('Token has no tenant_id; only platform-admin tokens may omit it'),
    );
  });

  it.each([
    ['not a UUID', 'tenant-a'],
    ['empty', ''],
    ['a number', 42],
    ['an object', { id: TENANT }],
    ['a UUID with braces', `{${TENANT}}`],
    ['a UUID without dashes', TENANT.replace(/-/g, '')],
    ['a UUID with trailing text', `${TENANT} `],
  ])('refuses a tenant_id that is %s (even for platform-admin)', (_name, tenant) => {
    for (const roles of [['tenant-admin'], ['platform-admin']]) {
      expect(() => userFromClaims({ sub: 'a', tenant_id: tenant, roles })).toThrow(
        /tenant_id must be a UUID/,
      );
    }
  });

  it.each([
    ['missing', {}],
    ['empty', { sub: '' }],
    ['blank', { sub: '   ' }],
    ['a number', { sub: 42 }],
    ['null', { sub: null }],
  ])('refuses a sub that is %s', (_name, claims) => {
    expect(() => userFromClaims({ roles: ['platform-admin'], ...claims })).toThrow(
      /no subject \(sub\)/,
    );
  });

  it(`refuses a sub longer than ${MAX_SUB_LENGTH} characters`, () => {
    const roles = ['platform-admin'];
    expect(userFromClaims({ sub: 'x'.repeat(MAX_SUB_LENGTH), roles }).sub).toHaveLength(256);
    expect(() => userFromClaims({ sub: 'x'.repeat(MAX_SUB_LENGTH + 1), roles })).toThrow(
      /longer than 256/,
    );
  });

  it.each([
    ['missing', undefined],
    ['a string', 'platform-admin'],
    ['an object', { 0: 'platform-admin' }],
  ])('refuses roles that are %s', (_name, roles) => {
    expect(() => userFromClaims({ sub: 'a', tenant_id: TENANT, roles })).toThrow(
      /roles must be an array/,
    );
  });

  it.each([null, 'a string', 42, ['array']])('refuses a payload that is %j', (payload) => {
    expect(() => userFromClaims(payload)).toThrow(/must be a JSON object/);
  });

  it('property: the user only ever holds known roles, and is tenant-bound unless platform-admin', () => {
    const role = fc.oneof(fc.constantFrom(...KNOWN_ROLES), fc.string(), fc.integer());
    fc.assert(
      fc.property(
        fc.record(
          {
            sub: fc.oneof(fc.string({ minLength: 1 }), fc.constant(undefined)),
            tenant_id: fc.oneof(fc.uuid(), fc.string(), fc.constant(null)),
            roles: fc.array(role, { maxLength: 6 }),
          },
          { requiredKeys: [] },
        ),
        (claims) => {
          let user;
          try {
            user = userFromClaims(claims);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidClaimsError);
            return;
          }
          for (const r of user.roles) expect(KNOWN_ROLES).toContain(r);
          expect(new Set(user.roles).size).toBe(user.roles.length);
          if (user.tenant_id === undefined) expect(user.roles).toContain('platform-admin');
          else expect(user.tenant_id).toMatch(/^[0-9a-f-]{36}$/);
          expect(typeof user.sub).toBe('string');
        },
      ),
    );
  });
});
