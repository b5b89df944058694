import { logContextOf, nodeRequestOf } from '../observability/request-log-context';
import type { ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from './authenticated-user';

/** Longer tokens are refused before any parsing (a JWT of this app is a few hundred bytes). */
export const MAX_TOKEN_LENGTH = 8192;

/** `Bearer <JWS compact serialization>`: three base64url segments (the last may be empty). */
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/** An `authorization` value is present but is not `Bearer <token>` (→ 401). */
export class MalformedAuthorizationError extends Error {
  override readonly name = 'MalformedAuthorizationError';

  constructor(message = "Malformed Authorization header: expected 'Bearer <token>'") {
    super(message);
  }
}

/** The part of an HTTP request (Express or Fastify) the extractor reads. */
export interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
}

/** The part of a gRPC `Metadata` (`@grpc/grpc-js`) the extractor reads. */
export interface RpcMetadataLike {
  get(key: string): (string | Buffer)[];
}

/** The token of one `authorization` value; undefined when there is none. */
export function parseAuthorization(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (value.length > MAX_TOKEN_LENGTH + 'Bearer '.length) {
    throw new MalformedAuthorizationError('Bearer token is too long');
  }
  const match = BEARER.exec(value.trim());
  if (match === null) throw new MalformedAuthorizationError();
  return match[1];
}

/** HTTP: the `Authorization` header (Node lower-cases header names). */
export function tokenFromHttpRequest(request: HttpRequestLike): string | undefined {
  return parseAuthorization(single(request.headers.authorization, 'Authorization header'));
}

/** gRPC: metadata key `authorization` (the same `Bearer <token>` value as over HTTP). */
export function tokenFromRpcMetadata(metadata: RpcMetadataLike): string | undefined {
  const values = metadata
    .get('authorization')
    .map((value) => (typeof value === 'string' ? value : value.toString('utf8')));
  return parseAuthorization(single(values, 'authorization metadata'));
}

/**
 * The bearer token of a request on any transport the guard serves, or undefined when the caller
 * sent none. Throws `MalformedAuthorizationError` when it sent something else.
 */
export function extractBearerToken(context: ExecutionContext): string | undefined {
  switch (context.getType<'http' | 'rpc' | 'ws'>()) {
    case 'http':
      return tokenFromHttpRequest(context.switchToHttp().getRequest<HttpRequestLike>());
    case 'rpc':
      return tokenFromRpcMetadata(context.switchToRpc().getContext<RpcMetadataLike>());
    case 'ws':
      return undefined;
  }
}

/** Where the authenticated user lives on each transport. */
interface UserHolder {
  user?: AuthenticatedUser;
}

/**
 * Leaves the user where the module looks for it (`actorFromRequest`): `request.user` over HTTP,
 * and `user` on the RPC context over gRPC (`context.switchToRpc().getContext()`, the call's
 * `Metadata`, Nest's second handler argument).
 */
export function attachUser(context: ExecutionContext, user: AuthenticatedUser): void {
  const holder = userHolder(context);
  if (holder !== undefined) holder.user = user;
  if (context.getType() === 'http') {
    // The request log line names who asked.
    const log = logContextOf(nodeRequestOf(context.switchToHttp().getRequest<object>()));
    log.actorId = user.sub;
    if (typeof user.tenant_id === 'string') log.tenantId = user.tenant_id;
  }
}

/** The user `attachUser` left on this request, if any. */
export function authenticatedUserOf(context: ExecutionContext): AuthenticatedUser | undefined {
  return userHolder(context)?.user;
}

function userHolder(context: ExecutionContext): UserHolder | undefined {
  const type = context.getType<'http' | 'rpc' | 'ws'>();
  const holder: unknown =
    type === 'http'
      ? context.switchToHttp().getRequest<unknown>()
      : type === 'rpc'
        ? context.switchToRpc().getContext<unknown>()
        : undefined;
  return isObject(holder) ? holder : undefined;
}

function isObject(value: unknown): value is UserHolder {
  return typeof value === 'object' && value !== null;
}

/** One value, or none; several `authorization` values are ambiguous and refused. */
function single(value: string | readonly string[] | undefined, what: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (value.length > 1) throw new MalformedAuthorizationError(`More than one ${what}`);
  return value[0];
}
