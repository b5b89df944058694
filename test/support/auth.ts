import { JwtService, type JwtSignOptions } from '@nestjs/jwt';

/** The secret the test apps verify with (test-env.cjs sets AUTH_JWT_SECRET for every test file). */
export function testJwtSecret(): string {
  const secret = process.env.AUTH_JWT_SECRET;
  if (secret === undefined || secret === '') {
    throw new Error('AUTH_JWT_SECRET is not set (test/support/test-env.cjs sets it)');
  }
  return secret;
}

export interface TokenRequest {
  /** Actor id; default `test-user` (`test-platform-admin` for platform-admin-only tokens). */
  sub?: string;
  /** The `tenant_id` claim; leave out for platform admins. */
  tenantId?: string;
  roles: readonly string[];
  /**
   * `expiresIn` of jsonwebtoken (`'1h'`, seconds as a number); default one hour; `null` makes a
   * token without `exp`. Ignored when `claims` carries its own `exp`.
   */
  expiresIn?: JwtSignOptions['expiresIn'] | null;
  /** Extra claims, merged last (to test malformed tokens). */
  claims?: Record<string, unknown>;
  /** Sign with another secret (to test wrong signatures). */
  secret?: string;
}

const jwt = new JwtService();

/** A bearer token the demo app accepts (HS256, the test secret): `tokenFor({ roles: [...] })`. */
export function tokenFor(request: TokenRequest): string {
  const platformAdminOnly = request.roles.length === 1 && request.roles[0] === 'platform-admin';
  const payload: Record<string, unknown> = {
    sub: request.sub ?? (platformAdminOnly ? 'test-platform-admin' : 'test-user'),
    roles: [...request.roles],
    ...(request.tenantId !== undefined && { tenant_id: request.tenantId }),
    ...request.claims,
  };
  const expiresIn =
    'exp' in payload ? null : request.expiresIn === undefined ? '1h' : request.expiresIn;
  return jwt.sign(payload, {
    secret: request.secret ?? testJwtSecret(),
    algorithm: 'HS256',
    ...(expiresIn !== null && { expiresIn }),
  });
}

/** The platform-admin token the e2e `http(app)` helper sends by default. */
export function platformAdminToken(): string {
  return tokenFor({ roles: ['platform-admin'] });
}
