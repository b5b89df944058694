import { isUuid } from '../../../domain/identifiers';
import { RequestValidationError } from '../../../domain/platform.errors';
import type { PlatformCursor } from '../../ports/service-platform.repository.port';

const PREFIX = 'v1:';

/** `next_cursor` is opaque to clients: base64url of a versioned keyset position. */
export function encodeCursor(cursor: PlatformCursor): string {
  return Buffer.from(`${PREFIX}${cursor.afterId}`, 'utf8').toString('base64url');
}

export function decodeCursor(value: string): PlatformCursor {
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  const afterId = decoded.startsWith(PREFIX) ? decoded.slice(PREFIX.length) : '';
  if (!isUuid(afterId)) {
    throw new RequestValidationError('cursor is not a cursor returned by this API', [
      { field: 'cursor', message: 'is not a valid cursor' },
    ]);
  }
  return { afterId: afterId.toLowerCase() };
}
