import type { Actor } from '../../domain/actor';
import { PermissionDeniedError } from '../../domain/platform.errors';
import {
  abilityFor,
  platformSubject,
  type PlatformAbility,
  type PlatformAction,
  type PlatformRecord,
} from './platform-ability';

/**
 * What a repository read may return: the rows on which `ability` allows `action`. Adapters turn
 * it into a query condition, so another tenant's platform is simply not found.
 */
export interface PlatformAccess {
  readonly ability: PlatformAbility;
  readonly action: PlatformAction;
}

export function accessFor(actor: Actor, action: PlatformAction): PlatformAccess {
  return { ability: abilityFor(actor), action };
}

/** Instance-level check for writes whose target is named by the request (register, list). */
export function assertAllowed(
  actor: Actor,
  action: PlatformAction,
  record: PlatformRecord,
  ability: PlatformAbility = abilityFor(actor),
): void {
  if (!ability.can(action, platformSubject(record))) {
    throw new PermissionDeniedError(
      `Your roles do not allow '${action}' on this tenant's platforms`,
    );
  }
}
