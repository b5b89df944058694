import { SetMetadata } from '@nestjs/common';
import type { PlatformAction } from '../../application/authz/platform-ability';

export const REQUIRED_PERMISSION = 'service-platform:required-permission';

/**
 * Declares the action a route performs on platforms. `PlatformPoliciesGuard` refuses every route
 * of the module that does not declare one, so a new route cannot be left open by mistake.
 */
export const RequirePermission = (action: PlatformAction): MethodDecorator =>
  SetMetadata(REQUIRED_PERMISSION, action);
