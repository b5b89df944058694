/** The roles of the contract ("Authentication and roles"). Any other role in a token is dropped. */
export const KNOWN_ROLES = [
  'platform-admin',
  'tenant-admin',
  'tenant-viewer',
  'integration',
] as const;

export type Role = (typeof KNOWN_ROLES)[number];

/** The one role that is not bound to a tenant. */
export const PLATFORM_ADMIN: Role = 'platform-admin';

export function isKnownRole(value: unknown): value is Role {
  return typeof value === 'string' && (KNOWN_ROLES as readonly string[]).includes(value);
}
