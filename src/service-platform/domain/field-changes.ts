import { canonicalJson } from './canonical-json';
import { isSecretKey, maskSecretsIn } from './secret-fields';

/** One changed field: its old and new value, or only that it changed when it is a secret. */
export type FieldChange =
  { readonly before: unknown; readonly after: unknown } | { readonly changed: true };

/**
 * Changed fields by dotted path (`config.client_id`, `config.additional_data.region`,
 * `is_active`). A field that is a secret (by name or by value, the rule responses mask by) shows
 * only `{ changed: true }`: neither its old nor its new value is ever recorded.
 */
export type FieldChanges = Readonly<Record<string, FieldChange>>;

const SECRET_CHANGED: FieldChange = Object.freeze({ changed: true });

/**
 * The field-by-field difference of two JSON values under `path` (`undefined`: absent). Objects
 * are compared key by key (an added or removed key has `null` on its missing side); anything else,
 * arrays included, is one field.
 */
export function diffFields(path: string, before: unknown, after: unknown): FieldChanges {
  const changes: Record<string, FieldChange> = {};
  collect(changes, path, before, after, false);
  return changes;
}

function collect(
  changes: Record<string, FieldChange>,
  path: string,
  before: unknown,
  after: unknown,
  secret: boolean,
): void {
  if (sameJson(before, after)) return;
  if (!secret && isObjectOrAbsent(before) && isObjectOrAbsent(after)) {
    // An object that appears or disappears is listed field by field too.
    const from = before ?? {};
    const to = after ?? {};
    const keys = new Set([...Object.keys(from), ...Object.keys(to)]);
    for (const key of [...keys].sort()) {
      collect(changes, `${path}.${key}`, own(from, key), own(to, key), isSecretKey(key));
    }
    return;
  }
  changes[path] =
    secret || holdsSecret(before) || holdsSecret(after)
      ? SECRET_CHANGED
      : { before: before ?? null, after: after ?? null };
}

/** Whether masking would hide anything in `value` (a secret-looking key or value inside it). */
function holdsSecret(value: unknown): boolean {
  return value !== undefined && !sameJson(maskSecretsIn(value), value);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonicalJson(a) === canonicalJson(b);
}

/** `object[key]` if it is the object's own key: `toString` and friends are data, not methods. */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isObjectOrAbsent(value: unknown): value is Record<string, unknown> | undefined {
  return value === undefined || isPlainObject(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
