import { isUuid } from './identifiers';
import { UnauthenticatedError } from './platform.errors';
import { isStorableText } from './storable-text';

/**
 * Who is asking. The module reads it from the already-authenticated request (`request.user`),
 * so the host app owns authentication. `tenantId` is null for actors that are not bound to one
 * tenant (platform operators, or an unauthenticated host app).
 */
export interface Actor {
  readonly id: string;
  readonly tenantId: string | null;
  readonly roles: readonly string[];
}

/**
 * The actor as the module uses it, from whatever a caller handed in (a `resolveActor` result, or
 * a host's own object passed to the facade). No id, an id PostgreSQL cannot store, or a tenant
 * that is present but not a UUID is refused: ignoring a bad tenant would widen the caller's reach
 * to every tenant. An absent tenant (`undefined` as much as `null`) is no tenant. Roles that are
 * not strings are dropped.
 */
export function checkActor(actor: unknown): Actor {
  if (actor === undefined || actor === null || typeof actor !== 'object') {
    throw new UnauthenticatedError();
  }
  const { id, tenantId, roles } = actor as { id?: unknown; tenantId?: unknown; roles?: unknown };
  if (typeof id !== 'string' || id.length === 0) {
    throw new UnauthenticatedError('The authenticated user has no subject (sub)');
  }
  // The actor id is written to audit rows and events: PostgreSQL must be able to store it.
  if (!isStorableText(id)) {
    throw new UnauthenticatedError('The authenticated user has an invalid subject (sub)');
  }
  if (tenantId !== undefined && tenantId !== null && !isUuid(tenantId)) {
    throw new UnauthenticatedError('The authenticated user carries an invalid tenant_id');
  }
  return {
    id,
    tenantId: typeof tenantId === 'string' ? tenantId.toLowerCase() : null,
    roles: Array.isArray(roles)
      ? roles.filter((role): role is string => typeof role === 'string')
      : [],
  };
}
