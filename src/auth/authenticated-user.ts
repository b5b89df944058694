import type { Role } from './roles';

/**
 * What the demo host app leaves on `request.user` (HTTP) or on the RPC context (gRPC) once a
 * bearer token has been verified. The Service Platform module reads exactly these three claims.
 */
export interface AuthenticatedUser {
  /** The actor id (JWT `sub`). */
  readonly sub: string;
  /** The actor's tenant (lower-case UUID); absent for platform admins. */
  readonly tenant_id?: string;
  /** Known roles only, de-duplicated. */
  readonly roles: readonly Role[];
}
