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
  if (!isUuid(id) || !/^\d{4}-\d\d-\d\dT/.test(at) || Number.isNaN(occurredAt.getTime())) {
    throw new RequestValidationError('cursor is not a cursor returned by this API', [
      { field: 'cursor', message: 'is not a valid cursor' },
    ]);
  }
  return { occurredAt, id: id.toLowerCase() };
}
