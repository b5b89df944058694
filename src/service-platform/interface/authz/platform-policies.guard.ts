import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  abilityFor,
  PLATFORM_SUBJECT,
  type PlatformAction,
} from '../../application/authz/platform-ability';
import { PermissionDeniedError } from '../../domain/platform.errors';
import { SERVICE_PLATFORM_OPTIONS } from '../../service-platform.module-definition';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import { actorFromUser, resolveRequestActor, type ActorResolver } from './request-actor';
import { REQUIRED_PERMISSION } from './require-permission.decorator';

/**
 * Route-level RBAC: the caller must be authenticated (the host's `request.user`, mapped by
 * `resolveActor`; 401 otherwise) and hold a role that allows the route's action on some platform
 * (403 otherwise). Which platforms it applies to is decided again by the handlers and in the data
 * layer.
 */
@Injectable()
export class PlatformPoliciesGuard implements CanActivate {
  private readonly resolveActor: ActorResolver;

  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_PLATFORM_OPTIONS) options: ServicePlatformModuleOptions,
  ) {
    this.resolveActor = options.resolveActor ?? actorFromUser;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const action = this.reflector.get<PlatformAction | undefined>(
      REQUIRED_PERMISSION,
      context.getHandler(),
    );
    const actor = await resolveRequestActor(context, this.resolveActor);
    if (action === undefined) {
      throw new PermissionDeniedError('This route declares no permission and is closed');
    }
    if (!abilityFor(actor).can(action, PLATFORM_SUBJECT)) {
      throw new PermissionDeniedError(`Your roles do not allow '${action}' on platforms`);
    }
    return true;
  }
}
