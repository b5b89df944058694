import { createHash } from 'node:crypto';
import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { HostDatabase } from '../database/host-database';
import type { HostUser } from './host-user';

export const API_KEY_HEADER = 'x-api-key';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The host's authentication, a global guard: an API key (header `x-api-key`, gRPC metadata
 * `x-api-key`) looked up in the host's own `api_clients` table. It becomes `request.user` (gRPC:
 * `user` on the call's metadata), in the host's own shape. No key, or an unknown one: 401.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly database: HostDatabase) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    let key: unknown;
    let carrier: { user?: HostUser };
    if (context.getType() === 'http') {
      const request = context
        .switchToHttp()
        .getRequest<{ headers: Record<string, unknown>; user?: HostUser }>();
      key = request.headers[API_KEY_HEADER];
      carrier = request;
    } else {
      const metadata = context.switchToRpc().getContext<Metadata & { user?: HostUser }>();
      key = metadata.get(API_KEY_HEADER)[0];
      carrier = metadata;
    }
    if (typeof key !== 'string' || key === '') throw new UnauthorizedException('API key required');
    const client = await this.database.prisma.apiClient.findUnique({
      where: { keyHash: hashApiKey(key) },
    });
    if (client === null) throw new UnauthorizedException('Unknown API key');
    carrier.user = {
      clientId: client.id,
      name: client.name,
      organisationId: client.organisationId,
      canWrite: client.canWrite,
    };
    return true;
  }
}
