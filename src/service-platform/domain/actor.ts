/**
 * Who is asking. The module reads it from the already-authenticated request (`request.user`),
 * so the host app owns authentication. `tenantId` is null for actors that are not bound to one
 * tenant (platform operators, or an unauthenticated host app).
 */
export interface Actor {
  readonly id: string;
  readonly tenantId: string | null;
  readonly roles: readonly string[];
}
