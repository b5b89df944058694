import { isUuid } from '../../../domain/identifiers';
import { RequestValidationError } from '../../../domain/platform.errors';
import type { PlatformCursor } from '../../ports/service-platform.repository.port';

/** `next_cursor` is opaque to clients: base64url of the keyset position. */
export function encodeCursor(cursor: PlatformCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString(
    'base64url',
  );
}

export function decodeCursor(value: string): PlatformCursor {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [createdAt, id] = decoded as unknown[];
      const date = typeof createdAt === 'string' ? new Date(createdAt) : new Date(Number.NaN);
      if (!Number.isNaN(date.getTime()) && isUuid(id)) return { createdAt: date, id };
    }
  } catch {
    // reported below
  }
  throw new RequestValidationError('cursor is not a cursor returned by this API', [
    { field: 'cursor', message: 'is not a valid cursor' },
  ]);
}
