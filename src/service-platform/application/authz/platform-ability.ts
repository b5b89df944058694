import { AbilityBuilder, subject, type Ability } from '@casl/ability';
import { createPrismaAbility, type Model, type PrismaQueryOf } from '@casl/prisma/runtime';
import type { Actor } from '../../domain/actor';

/** The roles of the contract ("Authentication and roles"). */
export const Role = {
  PlatformAdmin: 'platform-admin',
  TenantAdmin: 'tenant-admin',
  TenantViewer: 'tenant-viewer',
  Integration: 'integration',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/**
 * What can be done to platforms; `manage` is every action; `audit` reads a platform's trail;
 * `catalog` reads the service catalog (any known role).
 */
export type PlatformAction =
  | 'manage'
  | 'register'
  | 'read'
  | 'update'
  | 'deactivate'
  | 'activate'
  | 'resolve'
  | 'audit'
  | 'catalog';

export const PLATFORM_SUBJECT = 'ServicePlatform';

/** The fields authorization rules look at (the same names in the domain and in storage). */
export interface PlatformRecord {
  readonly tenantId: string;
  readonly isActive: boolean;
}

/**
 * Rule conditions are Prisma `WhereInput`s over `PlatformRecord` fields, so that one ability
 * answers both "may this actor act on this platform?" in memory and "which rows may it see?" in
 * the database (`accessibleBy(...).ofType('ServicePlatform')` in the Prisma adapter).
 */
type PlatformTypeMap = {
  model: {
    ServicePlatform: {
      operations: { findFirst: { args: { where?: { tenantId?: string; isActive?: boolean } } } };
    };
  };
};
type PlatformSubject = typeof PLATFORM_SUBJECT | Model<PlatformRecord, typeof PLATFORM_SUBJECT>;
type PlatformQuery = PrismaQueryOf<PlatformTypeMap, Model<PlatformRecord, typeof PLATFORM_SUBJECT>>;

export type PlatformAbility = Ability<[PlatformAction, PlatformSubject | 'all'], PlatformQuery>;

/** A record as a CASL subject, for instance-level checks. */
export function platformSubject(record: PlatformRecord): Model<PlatformRecord, 'ServicePlatform'> {
  return subject(PLATFORM_SUBJECT, { tenantId: record.tenantId, isActive: record.isActive });
}

/** Abilities built, by what they depend on (tenant and known roles); least recently used dropped. */
const ABILITIES = new Map<string, PlatformAbility>();
const MAX_ABILITIES = 1_000;
const KNOWN_ROLES = Object.values(Role);

/**
 * The actor's ability. It depends only on the tenant and which known roles the actor has, and is
 * never changed once built, so one is shared by every request of the same (tenant, roles): a
 * request builds none (the guard and the handler each asked for it, per request).
 */
export function abilityFor(actor: Actor): PlatformAbility {
  const roles = new Set(actor.roles);
  // Only a string is a tenant: an `undefined` slipped past the type (a JS caller, an `any`) would
  // otherwise become a `{ tenantId: undefined }` condition, which Prisma drops, matching every row.
  const tenantId = typeof actor.tenantId === 'string' ? actor.tenantId : null;
  // No tenant and an empty tenant are different actors: they must not share a key.
  const tenant = tenantId === null ? '-' : `t${tenantId}`;
  const key = `${tenant}|${KNOWN_ROLES.map((role) => (roles.has(role) ? '1' : '0')).join('')}`;
  const known = ABILITIES.get(key);
  if (known !== undefined) {
    ABILITIES.delete(key);
    ABILITIES.set(key, known);
    return known;
  }
  const ability = buildAbility(roles, tenantId);
  ABILITIES.set(key, ability);
  if (ABILITIES.size > MAX_ABILITIES) {
    const oldest = ABILITIES.keys().next();
    if (oldest.done !== true) ABILITIES.delete(oldest.value);
  }
  return ability;
}

/**
 * The one place that says what each role may do. Tenant-bound roles only ever get rules
 * conditioned on the actor's own tenant; an actor with no tenant gets none of them.
 */
function buildAbility(roles: ReadonlySet<string>, tenantId: string | null): PlatformAbility {
  const { can, build } = new AbilityBuilder<PlatformAbility>(createPrismaAbility);

  if (roles.has(Role.PlatformAdmin)) can('manage', 'all');
  // The catalog describes services, not any tenant's data: every known role may read it.
  if (KNOWN_ROLES.some((role) => roles.has(role))) can('catalog', PLATFORM_SUBJECT);
  if (tenantId !== null) {
    if (roles.has(Role.TenantAdmin)) {
      can(['register', 'read', 'update', 'deactivate', 'activate', 'audit'], PLATFORM_SUBJECT, {
        tenantId,
      });
    }
    if (roles.has(Role.TenantViewer)) can('read', PLATFORM_SUBJECT, { tenantId });
    if (roles.has(Role.Integration)) {
      can('resolve', PLATFORM_SUBJECT, { tenantId, isActive: true });
    }
  }
  return build();
}
