import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '../../domain/actor';
import { isUuid } from '../../domain/identifiers';
import { PermissionDeniedError } from '../../domain/platform.errors';

/** What the host app's authentication leaves on `request.user` (claims of the contract's JWT). */
export interface AuthenticatedUser {
  sub?: unknown;
  tenant_id?: unknown;
  roles?: unknown;
}

/** The actor of a request whose host app authenticates nobody. */
export const ANONYMOUS_ACTOR: Actor = Object.freeze({ id: 'anonymous', tenantId: null, roles: [] });

/**
 * Maps `request.user` to an `Actor`. A `tenant_id` that is present but not a UUID is refused
 * rather than ignored: ignoring it would widen the caller's scope to every tenant.
 */
export function actorFromUser(user: AuthenticatedUser | undefined | null): Actor {
  if (user === undefined || user === null) return ANONYMOUS_ACTOR;
  const tenant = user.tenant_id;
  if (tenant !== undefined && tenant !== null && !isUuid(tenant)) {
    throw new PermissionDeniedError('The authenticated user carries an invalid tenant_id');
  }
  return {
    id: typeof user.sub === 'string' && user.sub.length > 0 ? user.sub : 'unknown',
    tenantId: typeof tenant === 'string' ? tenant.toLowerCase() : null,
    roles: Array.isArray(user.roles)
      ? user.roles.filter((role): role is string => typeof role === 'string')
      : [],
  };
}

/** Injects the request's `Actor` into a controller method. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  actorFromUser(context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user),
);
