import type { Actor } from '../domain/actor';
import { PermissionDeniedError } from '../domain/platform.errors';
import type { TenantScope } from './ports/service-platform.repository.port';

/** Reads are scoped to the actor's tenant: another tenant's platform is simply not found. */
export function scopeOf(actor: Actor): TenantScope {
  return { tenantId: actor.tenantId };
}

/** A tenant-bound actor may only act on its own tenant (register into it, list it). */
export function assertTenantAccess(actor: Actor, tenantId: string): void {
  if (actor.tenantId !== null && actor.tenantId !== tenantId) {
    throw new PermissionDeniedError(
      `Actor ${actor.id} may not manage platforms of tenant ${tenantId}`,
    );
  }
}
