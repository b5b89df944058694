import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { checkActor, type Actor } from '../../domain/actor';
import { UnauthenticatedError } from '../../domain/platform.errors';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';

/**
 * What the host app's authentication leaves on `request.user` by default (the contract's JWT
 * claims): the module reads the caller from there and never authenticates anyone itself.
 */
export interface AuthenticatedUser {
  sub?: unknown;
  tenant_id?: unknown;
  roles?: unknown;
}

/**
 * Maps the host's `request.user` (HTTP) or the RPC context's `user` (gRPC) to the module's
 * actor (option `resolveActor`). It may throw (or return nothing) to refuse the caller: 401.
 */
export type ActorResolver = NonNullable<ServicePlatformModuleOptions['resolveActor']>;

/** Where the guard leaves the actor it resolved, for the handlers of the same request. */
const ACTOR = Symbol('service-platform.actor');

type ActorCarrier = { user?: unknown; [ACTOR]?: Actor };

/** The default `resolveActor`: the contract's claims `{ sub, tenant_id, roles }`. */
export function actorFromUser(user: unknown): Actor {
  if (user === undefined || user === null || typeof user !== 'object') {
    throw new UnauthenticatedError();
  }
  const claims = user as AuthenticatedUser;
  return checkActor({
    id: claims.sub as string,
    tenantId: claims.tenant_id as string | null,
    roles: claims.roles as string[],
  });
}

/** The HTTP request, or the RPC context: where the host's authentication put the user. */
function carrierOf(context: ExecutionContext): ActorCarrier {
  return context.getType() === 'http'
    ? context.switchToHttp().getRequest<ActorCarrier>()
    : context.switchToRpc().getContext<ActorCarrier>();
}

/**
 * Resolves the caller of a request once (the module's guard does it) and keeps it on the
 * request for `@CurrentActor()`. A resolver that fails refuses the caller (401); its message is
 * kept only for the log.
 */
export async function resolveRequestActor(
  context: ExecutionContext,
  resolve: ActorResolver,
): Promise<Actor> {
  const carrier = carrierOf(context);
  let resolved: unknown;
  try {
    resolved = await resolve(carrier.user);
  } catch (error) {
    if (error instanceof UnauthenticatedError) throw error;
    throw new UnauthenticatedError(
      undefined,
      `resolveActor failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const actor = checkActor(resolved);
  carrier[ACTOR] = actor;
  return actor;
}

/** Injects the request's `Actor` (resolved by the module's guard) into a controller method. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const actor = carrierOf(context)[ACTOR];
  if (actor === undefined) throw new UnauthenticatedError();
  return actor;
});
