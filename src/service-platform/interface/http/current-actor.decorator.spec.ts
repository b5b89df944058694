import { PermissionDeniedError } from '../../domain/platform.errors';
import { ANONYMOUS_ACTOR, actorFromUser } from './current-actor.decorator';

describe('actorFromUser', () => {
  it('is anonymous and bound to no tenant without request.user', () => {
    expect(actorFromUser(undefined)).toBe(ANONYMOUS_ACTOR);
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
    expect(() => actorFromUser({ sub: 'x', tenant_id: 'acme' })).toThrow(PermissionDeniedError);
    expect(() => actorFromUser({ sub: 'x', tenant_id: 42 })).toThrow(PermissionDeniedError);
  });
});
