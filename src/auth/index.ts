/** Authentication and rate limiting of the demo host app (not part of the module). */
export { AuthModule } from './auth.module';
export type { AuthenticatedUser } from './authenticated-user';
export { InvalidClaimsError, userFromClaims } from './claims';
export {
  JwtAuthGuard,
  JWT_ALGORITHMS,
  JWT_AUTH_OPTIONS,
  type JwtAuthOptions,
} from './jwt-auth.guard';
export { Public, IS_PUBLIC_KEY } from './public.decorator';
export { KNOWN_ROLES, PLATFORM_ADMIN, isKnownRole, type Role } from './roles';
export {
  TenantThrottlerGuard,
  rateLimitTracker,
  RATE_LIMIT_WINDOW_MS,
} from './tenant-throttler.guard';
export {
  MalformedAuthorizationError,
  attachUser,
  authenticatedUserOf,
  extractBearerToken,
  parseAuthorization,
  tokenFromHttpRequest,
  tokenFromRpcMetadata,
} from './token-extraction';
