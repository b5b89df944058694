import { randomUUID } from 'node:crypto';
import { abilityFor, platformSubject, PLATFORM_SUBJECT } from './platform-ability';

describe('abilityFor', () => {
  const tenant = randomUUID();

  it('shares one ability per (tenant, known roles), whatever the actor id or role order', () => {
    const a = abilityFor({ id: 'a', tenantId: tenant, roles: ['tenant-admin', 'tenant-viewer'] });
    const b = abilityFor({ id: 'b', tenantId: tenant, roles: ['tenant-viewer', 'tenant-admin'] });
    const withUnknown = abilityFor({
      id: 'c',
      tenantId: tenant,
      roles: ['tenant-viewer', 'auditor', 'tenant-admin'],
    });
    expect(b).toBe(a);
    expect(withUnknown).toBe(a);
  });

  it('an empty tenant id is not the absence of a tenant', () => {
    const empty = abilityFor({ id: 'e', tenantId: '', roles: ['tenant-viewer'] });
    const none = abilityFor({ id: 'n', tenantId: null, roles: ['tenant-viewer'] });
    expect(none).not.toBe(empty);
    expect(none.can('read', 'ServicePlatform')).toBe(false);
  });

  it('a tenant that is not a string is no tenant (undefined must not become "any tenant")', () => {
    const undefinedTenant = abilityFor({
      id: 'u',
      tenantId: undefined as unknown as null,
      roles: ['tenant-viewer', 'tenant-admin', 'integration'],
    });
    expect(undefinedTenant.can('read', PLATFORM_SUBJECT)).toBe(false);
    expect(undefinedTenant.can('update', PLATFORM_SUBJECT)).toBe(false);
    expect(undefinedTenant.can('resolve', PLATFORM_SUBJECT)).toBe(false);
    expect(undefinedTenant.rules).toEqual([
      expect.objectContaining({ action: 'catalog', subject: PLATFORM_SUBJECT }),
    ]);
  });

  it('keeps tenants and role sets apart', () => {
    const viewer = abilityFor({ id: 'v', tenantId: tenant, roles: ['tenant-viewer'] });
    const admin = abilityFor({ id: 'a', tenantId: tenant, roles: ['tenant-admin'] });
    const otherTenant = abilityFor({ id: 'v', tenantId: randomUUID(), roles: ['tenant-viewer'] });
    const noTenant = abilityFor({ id: 'v', tenantId: null, roles: ['tenant-viewer'] });
    expect(new Set([viewer, admin, otherTenant, noTenant]).size).toBe(4);
    const own = platformSubject({ tenantId: tenant, isActive: true });
    expect(viewer.can('read', own)).toBe(true);
    expect(viewer.can('update', own)).toBe(false);
    expect(admin.can('update', own)).toBe(true);
    expect(otherTenant.can('read', own)).toBe(false);
    expect(noTenant.can('read', PLATFORM_SUBJECT)).toBe(false);
  });

  it('stays correct beyond the memo bound (least recently used abilities are rebuilt)', () => {
    const first = abilityFor({ id: 'x', tenantId: tenant, roles: ['integration'] });
    for (let i = 0; i < 1_100; i++) abilityFor({ id: 'y', tenantId: randomUUID(), roles: [] });
    const again = abilityFor({ id: 'x', tenantId: tenant, roles: ['integration'] });
    expect(again).not.toBe(first);
    expect(again.can('resolve', platformSubject({ tenantId: tenant, isActive: true }))).toBe(true);
    expect(again.can('resolve', platformSubject({ tenantId: tenant, isActive: false }))).toBe(
      false,
    );
  });
});
