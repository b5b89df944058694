import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedUser } from './authenticated-user';

/** The one window of the rate limit: `RATE_LIMIT_PER_MINUTE` requests per rolling minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Who a request is counted against: its tenant, else its actor, else its address. */
export function rateLimitTracker(request: {
  user?: Partial<AuthenticatedUser>;
  ip?: string;
}): string {
  const user = request.user;
  if (typeof user?.tenant_id === 'string' && user.tenant_id !== '')
    return `tenant:${user.tenant_id}`;
  if (typeof user?.sub === 'string' && user.sub !== '') return `sub:${user.sub}`;
  return `ip:${request.ip ?? 'unknown'}`;
}

/**
 * Per-tenant rate limiting. Registered as a global guard AFTER `JwtAuthGuard`, so
 * `request.user` is set when it runs. One budget per tracker across all routes (not per route,
 * unlike the throttler's default key). Over the limit → 429 with `Retry-After` (seconds until a
 * slot frees) and the contract error body (code TOO_MANY_REQUESTS). gRPC calls share the same
 * budget (the caller is on the call's metadata); over it → RESOURCE_EXHAUSTED.
 */
@Injectable()
export class TenantThrottlerGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.getType() !== 'http' && context.getType() !== 'rpc');
  }

  /** For gRPC the "request" is the call's metadata (where `JwtAuthGuard` left `user`); no headers. */
  protected override getRequestResponse(context: ExecutionContext): {
    req: Record<string, unknown>;
    res: Record<string, unknown>;
  } {
    if (context.getType() !== 'rpc') return super.getRequestResponse(context);
    const call = context.switchToRpc().getContext<{ user?: unknown }>();
    return { req: { user: call.user, headers: {} }, res: {} };
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve(rateLimitTracker(request));
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }
}
