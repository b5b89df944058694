import { RequestValidationError } from './platform.errors';

/**
 * Text PostgreSQL refuses: the NUL character (not allowed in `text` or `jsonb`) and UTF-16
 * surrogates without their pair (not valid Unicode, refused by `jsonb`). Such input must be
 * refused as a client error before it reaches storage, where it would fail as a 500.
 */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_TEXT_MESSAGE =
  'must not contain NUL characters or unpaired UTF-16 surrogates';

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * The path of the first string (or object key) in a JSON value that PostgreSQL cannot store,
 * e.g. `config.additional_data.region` or `config.additional_data.list.1`; a bad key is reported
 * at its object's path. Undefined when everything is storable.
 */
export function findUnstorableText(value: unknown, path: string): string | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const current = next.value;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return next.path;
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const entries = Object.entries(current);
    // Checked in order, so the first bad field is the one reported.
    for (const [key, inner] of entries.reverse()) {
      if (!isStorableText(key)) return next.path;
      pending.push({ value: inner, path: next.path === '' ? key : `${next.path}.${key}` });
    }
  }
  return undefined;
}

/** Throws a 400 (VALIDATION_FAILED) naming the first field PostgreSQL could not store. */
export function assertStorableText(value: unknown, path: string): void {
  const field = findUnstorableText(value, path);
  if (field === undefined) return;
  const named = field === '' ? 'body' : field;
  throw new RequestValidationError(`${named} ${UNSTORABLE_TEXT_MESSAGE}`, [
    { field: named, message: UNSTORABLE_TEXT_MESSAGE },
  ]);
}
