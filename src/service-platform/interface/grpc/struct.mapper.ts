import type { FieldViolation } from '../../domain/platform.errors';
import type { StructMessage, ValueMessage } from './platform-service.messages';

/**
 * Nesting beyond which a Struct is refused while converting it (the domain allows 8 levels and
 * says so; this only keeps a hostile message from exhausting the stack first).
 */
const MAX_CONVERSION_DEPTH = 64;

/**
 * google.protobuf.Struct ↔ plain JSON. Object keys are created as own data properties, so a
 * `__proto__` key stays a key (and is refused by the domain) instead of changing a prototype.
 */
export class StructMapper {
  /** A Struct from a request, as JSON; problems are added to `violations` under `field`. */
  static toJson(
    struct: StructMessage,
    field: string,
    violations: FieldViolation[],
  ): Record<string, unknown> | undefined {
    try {
      return structToJson(struct, 0);
    } catch (error) {
      if (!(error instanceof StructProblem)) throw error;
      violations.push({ field, message: error.message });
      return undefined;
    }
  }

  /** A JSON object (a masked or decrypted configuration) as a Struct. */
  static fromJson(object: Readonly<Record<string, unknown>>): StructMessage {
    return { fields: mapValues(object, valueFromJson) };
  }
}

class StructProblem extends Error {}

function structToJson(struct: StructMessage, depth: number): Record<string, unknown> {
  if (depth > MAX_CONVERSION_DEPTH) throw new StructProblem('is nested too deeply');
  return Object.fromEntries(
    Object.entries(struct.fields ?? {}).map(([key, value]) => [key, valueToJson(value, depth + 1)]),
  );
}

const VALUE_KINDS = [
  'nullValue',
  'numberValue',
  'stringValue',
  'boolValue',
  'structValue',
  'listValue',
] as const;

/** The member set in a Value (`kind` is there when the loader runs with `oneofs: true`). */
function kindOf(value: ValueMessage): ValueMessage['kind'] {
  return value.kind ?? VALUE_KINDS.find((kind) => value[kind] !== undefined);
}

function valueToJson(value: ValueMessage, depth: number): unknown {
  switch (kindOf(value)) {
    case 'nullValue':
      return null;
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return structToJson(value.structValue ?? {}, depth);
    case 'listValue':
      if (depth > MAX_CONVERSION_DEPTH) throw new StructProblem('is nested too deeply');
      return (value.listValue?.values ?? []).map((item) => valueToJson(item, depth + 1));
    case undefined:
      throw new StructProblem('must hold only JSON values (a google.protobuf.Value has no kind)');
  }
}

function valueFromJson(value: unknown): ValueMessage {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(valueFromJson) } };
  if (typeof value === 'object' && value !== null) {
    return { structValue: { fields: mapValues(value as Record<string, unknown>, valueFromJson) } };
  }
  // null, and what JSON cannot hold (undefined...): a stored configuration has none of it.
  return { nullValue: 'NULL_VALUE' };
}

function mapValues<T>(
  object: Readonly<Record<string, unknown>>,
  map: (value: unknown) => T,
): Record<string, T> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, map(value)]));
}
