import { canonicalJson } from './canonical-json';

/** One changed field: its old and new value, or only that it changed when it is a secret. */
export type FieldChange =
  { readonly before: unknown; readonly after: unknown } | { readonly changed: true };

/**
 * Changed fields by dotted path (`config.client_id`, `config.additional_data.region`,
 * `is_active`). A secret field shows only `{ changed: true }`: neither its old nor its new value
 * is ever recorded.
 */
export type FieldChanges = Readonly<Record<string, FieldChange>>;

/** Which fields of a configuration may be shown (a `SecretPolicy`). */
export interface FieldVisibility {
  /** Whether the value at this path (within the configuration) may be shown. */
  shows(path: string, value: unknown): boolean;
}

const SECRET_CHANGED: FieldChange = Object.freeze({ changed: true });

type JsonObject = Record<string, unknown>;

/**
 * The field-by-field difference of two configurations (`undefined`: absent), under `prefix`:
 * one entry per top-level field, and per key of `additional_data`; a field that appears or
 * disappears has `null` on its missing side. A field `visibility` does not show, on either
 * side, is `{changed: true}`.
 */
export function diffConfigFields(
  prefix: string,
  before: object | undefined,
  after: object | undefined,
  visibility: FieldVisibility,
): FieldChanges {
  const changes: Record<string, FieldChange> = {};
  const from = (before ?? {}) as JsonObject;
  const to = (after ?? {}) as JsonObject;
  for (const key of keysOf(from, to)) {
    const [old, next] = [own(from, key), own(to, key)];
    if (key === 'additional_data' && isObjectOrAbsent(old) && isObjectOrAbsent(next)) {
      for (const name of keysOf(old ?? {}, next ?? {})) {
        record(
          changes,
          prefix,
          `additional_data.${name}`,
          own(old ?? {}, name),
          own(next ?? {}, name),
          visibility,
        );
      }
    } else {
      record(changes, prefix, key, old, next, visibility);
    }
  }
  return changes;
}

function record(
  changes: Record<string, FieldChange>,
  prefix: string,
  path: string,
  before: unknown,
  after: unknown,
  visibility: FieldVisibility,
): void {
  if (sameJson(before, after)) return;
  const shown =
    (before === undefined || visibility.shows(path, before)) &&
    (after === undefined || visibility.shows(path, after));
  changes[`${prefix}.${path}`] = shown
    ? { before: before ?? null, after: after ?? null }
    : SECRET_CHANGED;
}

function keysOf(a: JsonObject, b: JsonObject): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonicalJson(a) === canonicalJson(b);
}

/** `object[key]` if it is the object's own key: `toString` and friends are data, not methods. */
function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isObjectOrAbsent(value: unknown): value is JsonObject | undefined {
  return (
    value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value))
  );
}
