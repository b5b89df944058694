import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  abilityFor,
  PLATFORM_SUBJECT,
  type PlatformAction,
} from '../../application/authz/platform-ability';
import { PermissionDeniedError } from '../../domain/platform.errors';
import { actorFromRequest } from './request-actor';
import { REQUIRED_PERMISSION } from './require-permission.decorator';

/**
 * Route-level RBAC: the caller must be authenticated (`request.user`, 401 otherwise) and hold a
 * role that allows the route's action on some platform (403 otherwise). Which platforms it
 * applies to is decided again by the handlers and in the data layer.
 */
@Injectable()
export class PlatformPoliciesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const action = this.reflector.get<PlatformAction | undefined>(
      REQUIRED_PERMISSION,
      context.getHandler(),
    );
    const actor = actorFromRequest(context);
    if (action === undefined) {
      throw new PermissionDeniedError('This route declares no permission and is closed');
    }
    if (!abilityFor(actor).can(action, PLATFORM_SUBJECT)) {
      throw new PermissionDeniedError(`Your roles do not allow '${action}' on platforms`);
    }
    return true;
  }
}
