import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '../../domain/actor';
import { isUuid } from '../../domain/identifiers';
import { UnauthenticatedError } from '../../domain/platform.errors';
import { isStorableText } from '../../domain/storable-text';

/**
 * What the host app's authentication leaves on `request.user` (the contract's JWT claims):
 * the module reads the caller from there and never authenticates anyone itself.
 */
export interface AuthenticatedUser {
  sub?: unknown;
  tenant_id?: unknown;
  roles?: unknown;
}

/**
 * Maps `request.user` to an `Actor`. No user, no `sub`, or a `tenant_id` that is present but not
 * a UUID is refused: ignoring a bad tenant would widen the caller's reach to every tenant.
 */
export function actorFromUser(user: AuthenticatedUser | undefined | null): Actor {
  if (user === undefined || user === null) throw new UnauthenticatedError();
  if (typeof user.sub !== 'string' || user.sub.length === 0) {
    throw new UnauthenticatedError('The authenticated user has no subject (sub)');
  }
  // The actor id is written to audit rows and events: PostgreSQL must be able to store it.
  if (!isStorableText(user.sub)) {
    throw new UnauthenticatedError('The authenticated user has an invalid subject (sub)');
  }
  const tenant = user.tenant_id;
  if (tenant !== undefined && tenant !== null && !isUuid(tenant)) {
    throw new UnauthenticatedError('The authenticated user carries an invalid tenant_id');
  }
  return {
    id: user.sub,
    tenantId: typeof tenant === 'string' ? tenant.toLowerCase() : null,
    roles: Array.isArray(user.roles)
      ? user.roles.filter((role): role is string => typeof role === 'string')
      : [],
  };
}

/** The request's user, whatever the transport (HTTP request, or the RPC context). */
export function actorFromRequest(context: ExecutionContext): Actor {
  const carrier =
    context.getType() === 'http'
      ? context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>()
      : context.switchToRpc().getContext<{ user?: AuthenticatedUser }>();
  return actorFromUser(carrier.user);
}

/** Injects the request's `Actor` into a controller method. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  actorFromRequest(context),
);
