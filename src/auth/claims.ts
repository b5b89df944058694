import type { AuthenticatedUser } from './authenticated-user';
import { PLATFORM_ADMIN, isKnownRole, type Role } from './roles';

/** Canonical 8-4-4-4-12 hex form, any version (the module uses v7 ids, tokens may carry v4). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Longest accepted `sub`: actor ids end up in audit entries and log lines. */
export const MAX_SUB_LENGTH = 256;

/** A verified token whose claims do not describe a usable actor (→ 401, never a partial user). */
export class InvalidClaimsError extends Error {
  override readonly name = 'InvalidClaimsError';
}

/**
 * Turns the payload of a verified token into the authenticated user, or refuses it.
 * - `sub`: a non-empty string (at most 256 characters);
 * - `roles`: an array; entries other than the four known roles are dropped (so a token minted
 *   for another system grants nothing here), duplicates removed;
 * - `tenant_id`: a UUID (lower-cased), or absent/null — which only a `platform-admin` may be:
 *   a tenant-scoped role without a tenant would otherwise look like an unscoped actor.
 */
export function userFromClaims(payload: unknown): AuthenticatedUser {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidClaimsError('Token payload must be a JSON object');
  }
  const claims = payload as Record<string, unknown>;

  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.trim() === '') {
    throw new InvalidClaimsError('Token has no subject (sub)');
  }
  if (sub.length > MAX_SUB_LENGTH) {
    throw new InvalidClaimsError(`Token subject (sub) is longer than ${MAX_SUB_LENGTH} characters`);
  }

  if (!Array.isArray(claims.roles)) {
    throw new InvalidClaimsError('Token roles must be an array');
  }
  const roles: Role[] = [...new Set((claims.roles as unknown[]).filter(isKnownRole))];

  const tenant = claims.tenant_id;
  if (tenant === undefined || tenant === null) {
    if (!roles.includes(PLATFORM_ADMIN)) {
      throw new InvalidClaimsError(
        'Token has no tenant_id; only platform-admin tokens may omit it',
      );
    }
    return { sub, roles };
  }
  if (typeof tenant !== 'string' || !UUID.test(tenant)) {
    throw new InvalidClaimsError('Token tenant_id must be a UUID');
  }
  return { sub, tenant_id: tenant.toLowerCase(), roles };
}
