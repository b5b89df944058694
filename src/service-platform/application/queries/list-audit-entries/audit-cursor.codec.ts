import { isUuid } from '../../../domain/identifiers';
import { RequestValidationError } from '../../../domain/platform.errors';
import type { AuditCursor } from '../../ports/audit-trail.port';

const PREFIX = 'a1:';

/** `next_cursor` of the audit trail: base64url of a versioned keyset position. */
export function encodeAuditCursor(cursor: AuditCursor): string {
  return Buffer.from(`${PREFIX}${cursor.occurredAt.toISOString()}|${cursor.id}`, 'utf8').toString(
    'base64url',
  );
}

export function decodeAuditCursor(value: string): AuditCursor {
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  const [at = '', id = ''] = decoded.startsWith(PREFIX)
    ? decoded.slice(PREFIX.length).split('|')
    : [];
  const occurredAt = new Date(at);
  // Exactly what encodeAuditCursor writes, in years PostgreSQL stores (it has no year 0).
  if (!isUuid(id) || !isCursorTime(at, occurredAt)) {
    throw new RequestValidationError('cursor is not a cursor returned by this API', [
      { field: 'cursor', message: 'is not a valid cursor' },
    ]);
  }
  return { occurredAt, id: id.toLowerCase() };
}

const FIRST_YEAR = 1;
const LAST_YEAR = 9999;

function isCursorTime(text: string, parsed: Date): boolean {
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString() !== text) return false;
  const year = parsed.getUTCFullYear();
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}
