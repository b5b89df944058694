import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { RequestValidationError } from '../domain/platform.errors';

/** The HTTP header, and the gRPC metadata key, that carry an idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENCY_KEY_METADATA = 'idempotency-key';

interface MetadataLike {
  get(key: string): unknown[];
}

/**
 * The request's idempotency key: the `Idempotency-Key` header (HTTP) or the `idempotency-key`
 * metadata (gRPC); undefined when there is none. Sent twice, it is refused. Its format is checked
 * by the application (1-255 printable ASCII characters).
 */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const values =
      context.getType() === 'http'
        ? [
            context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[
              IDEMPOTENCY_KEY_METADATA
            ],
          ].flat()
        : context.switchToRpc().getContext<MetadataLike>().get(IDEMPOTENCY_KEY_METADATA);
    const present = values.filter((value) => value !== undefined);
    if (present.length === 0) return undefined;
    const [value] = present;
    if (present.length > 1 || typeof value !== 'string') {
      throw new RequestValidationError(`${IDEMPOTENCY_KEY_HEADER} must be sent once, as text`, [
        { field: IDEMPOTENCY_KEY_HEADER, message: 'must be sent once, as text' },
      ]);
    }
    return value;
  },
);
