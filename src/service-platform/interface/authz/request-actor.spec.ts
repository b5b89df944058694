import { UnauthenticatedError } from '../../domain/platform.errors';
import { actorFromUser } from './request-actor';

describe('actorFromUser', () => {
  it('refuses a request with no authenticated user', () => {
    expect(() => actorFromUser(undefined)).toThrow(UnauthenticatedError);
    expect(() => actorFromUser(null)).toThrow(UnauthenticatedError);
    expect(() => actorFromUser({ roles: ['platform-admin'] })).toThrow(/no subject/);
  });

  it('maps the contract claims', () => {
    expect(
      actorFromUser({
        sub: 'user-1',
        tenant_id: '0B5E5BD6-6C43-4C0B-9D1E-1C1F3F9A2B10',
        roles: ['tenant-admin', 7],
      }),
    ).toEqual({
      id: 'user-1',
      tenantId: '0b5e5bd6-6c43-4c0b-9d1e-1c1f3f9a2b10',
      roles: ['tenant-admin'],
    });
    expect(actorFromUser({ sub: 'admin', roles: ['platform-admin'] }).tenantId).toBeNull();
  });

  it('refuses a tenant_id that is not a UUID instead of widening the scope to every tenant', () => {
    expect(() => actorFromUser({ sub: 'x', tenant_id: 'acme' })).toThrow(UnauthenticatedError);
    expect(() => actorFromUser({ sub: 'x', tenant_id: 42 })).toThrow(UnauthenticatedError);
  });
});
