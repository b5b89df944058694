import {
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { InvalidClaimsError, userFromClaims } from './claims';
import { IS_PUBLIC_KEY } from './public.decorator';
import { MalformedAuthorizationError, attachUser, extractBearerToken } from './token-extraction';
import { VerifiedTokenCache } from './verified-token.cache';

/** The one algorithm accepted: `none`, RS*, ES*, PS* and other HS* tokens are refused. */
export const JWT_ALGORITHMS = ['HS256'] as const;

/** Clock skew tolerated on `exp`/`nbf` between the token issuer and this process. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 5;

export const JWT_AUTH_OPTIONS = Symbol('JWT_AUTH_OPTIONS');

export interface JwtAuthOptions {
  /** Refuse tokens without `exp` (on in production). */
  requireExpiry: boolean;
  /**
   * Refuse tokens whose `exp` lies further ahead than this many seconds (production:
   * `AUTH_MAX_TOKEN_LIFETIME`, default 24 h); undefined: no limit.
   */
  maxLifetimeSeconds?: number;
}

/** The registered time claims: when present, each must be a whole number of seconds. */
const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/**
 * The demo host app's authentication, a global guard: every route needs
 * `Authorization: Bearer <HS256 JWT>` (gRPC: metadata `authorization`) unless marked `@Public()`.
 * On success the verified claims become `request.user = { sub, tenant_id, roles }` (gRPC: `user`
 * on the RPC context, the call's metadata); anything else is a 401 (`UnauthorizedException`, answered with the contract's
 * error body, code UNAUTHENTICATED, by the global exception filter).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly verified = new VerifiedTokenCache();

  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
    @Inject(JWT_AUTH_OPTIONS) private readonly options: JwtAuthOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;

    let token: string | undefined;
    try {
      token = extractBearerToken(context);
    } catch (error) {
      if (error instanceof MalformedAuthorizationError) {
        throw this.refuse(context, error.message, 'invalid_request');
      }
      throw error;
    }
    if (token === undefined) throw this.refuse(context, 'Missing bearer token');
    const known = this.verified.get(token);
    if (known !== undefined) {
      attachUser(context, known);
      return true;
    }

    let payload: unknown;
    try {
      payload = await this.jwt.verifyAsync<object>(token, {
        algorithms: [...JWT_ALGORITHMS],
        clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
      });
    } catch (error) {
      const expired = error instanceof Error && error.name === 'TokenExpiredError';
      throw this.refuse(context, expired ? 'Token expired' : 'Invalid token', 'invalid_token');
    }
    const claims = payload as Partial<Record<(typeof TIME_CLAIMS)[number], unknown>>;
    for (const claim of TIME_CLAIMS) {
      // `exp: 1e300` (or 1e999, parsed as Infinity) would otherwise be a token that never expires.
      const value = claims[claim];
      if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0)) {
        throw this.refuse(
          context,
          `Token ${claim} must be a whole number of seconds`,
          'invalid_token',
        );
      }
    }
    const exp = claims.exp as number | undefined;
    if (this.options.requireExpiry && exp === undefined) {
      throw this.refuse(context, 'Token has no expiry (exp)', 'invalid_token');
    }
    const { maxLifetimeSeconds } = this.options;
    if (
      maxLifetimeSeconds !== undefined &&
      exp !== undefined &&
      exp - Date.now() / 1000 > maxLifetimeSeconds + JWT_CLOCK_TOLERANCE_SECONDS
    ) {
      throw this.refuse(
        context,
        `Token expires further ahead than the maximum lifetime (${maxLifetimeSeconds} s)`,
        'invalid_token',
      );
    }
    try {
      const user = userFromClaims(payload);
      this.verified.set(token, user, exp);
      attachUser(context, user);
    } catch (error) {
      if (error instanceof InvalidClaimsError) {
        throw this.refuse(context, error.message, 'invalid_token');
      }
      throw error;
    }
    return true;
  }

  /** 401, with RFC 6750's `WWW-Authenticate` challenge on HTTP. */
  private refuse(
    context: ExecutionContext,
    message: string,
    error?: 'invalid_request' | 'invalid_token',
  ): UnauthorizedException {
    if (context.getType() === 'http') {
      const challenge =
        error === undefined
          ? 'Bearer realm="service-platform"'
          : `Bearer realm="service-platform", error="${error}"`;
      setHeader(context.switchToHttp().getResponse(), 'WWW-Authenticate', challenge);
    }
    return new UnauthorizedException(message);
  }
}

/** Express's `Response` and Fastify's `FastifyReply` both have `header(name, value)`. */
function setHeader(response: unknown, name: string, value: string): void {
  const writer = response as { header?: (n: string, v: string) => unknown };
  if (typeof writer.header === 'function') writer.header(name, value);
}
