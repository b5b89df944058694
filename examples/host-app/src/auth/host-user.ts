import { Role, type Actor } from 'service-platform';

/** What the host's authentication puts on `request.user`: its own shape, not the module's. */
export interface HostUser {
  readonly clientId: string;
  readonly name: string;
  readonly organisationId: string;
  readonly canWrite: boolean;
}

function isHostUser(user: unknown): user is HostUser {
  return (
    typeof user === 'object' && user !== null && 'clientId' in user && 'organisationId' in user
  );
}

/**
 * `resolveActor` of the module: a host user becomes an actor of its organisation (the module's
 * tenant); clients that may write administer their organisation's platforms, others only read.
 * Nothing (no user): the module answers 401.
 */
export function toPlatformActor(user: unknown): Actor | undefined {
  if (!isHostUser(user)) return undefined;
  return {
    id: `api-client:${user.clientId}`,
    tenantId: user.organisationId,
    roles: [user.canWrite ? Role.TenantAdmin : Role.TenantViewer],
  };
}
