import type { FieldViolation } from '../../domain/platform.errors';
import type { StructMessage } from './platform-service.messages';
import { StructMapper } from './struct.mapper';

/** A JSON value, as a `google.protobuf.Struct` holds it. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** `google.protobuf.Struct` as `@grpc/proto-loader` encodes and decodes it. */
export type ProtobufStruct = StructMessage;

/**
 * A plain object as a `google.protobuf.Struct`, for a Node gRPC client's request (the
 * `additional_data` of a configuration). grpc-js silently drops a plain object given for a Struct
 * field: it must be `{ fields: { key: { stringValue: '...' } } }`, which this builds. Keys whose
 * value is `undefined` are left out, as `JSON.stringify` does; what JSON cannot hold (a function,
 * a bigint, `NaN`, `Infinity`) is refused with a TypeError.
 */
export function toStruct(object: Readonly<Record<string, unknown>>): ProtobufStruct {
  return StructMapper.fromJson(asJsonObject(object, 'the object', 0));
}

/** A `google.protobuf.Struct` of a response (a platform's `config`) as a plain object. */
export function fromStruct(struct: ProtobufStruct | null | undefined): Record<string, JsonValue> {
  const violations: FieldViolation[] = [];
  const json = StructMapper.toJson(struct ?? {}, 'struct', violations);
  if (json === undefined) {
    throw new TypeError(`Not a google.protobuf.Struct: ${violations[0]?.message ?? 'unreadable'}`);
  }
  return json as Record<string, JsonValue>;
}

const MAX_DEPTH = 64;

function asJsonObject(
  object: Readonly<Record<string, unknown>>,
  where: string,
  depth: number,
): Record<string, JsonValue> {
  if (depth > MAX_DEPTH) throw new TypeError(`${where} is nested too deeply`);
  const result: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    // An own data property, so that a `__proto__` key stays a key.
    Object.defineProperty(result, key, {
      value: asJson(value, `${where}.${key}`, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

function asJson(value: unknown, where: string, depth: number): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${where} is not a finite number`);
    return value;
  }
  if (Array.isArray(value)) {
    if (depth > MAX_DEPTH) throw new TypeError(`${where} is nested too deeply`);
    return value.map((item, index) => asJson(item ?? null, `${where}[${index}]`, depth + 1));
  }
  if (typeof value === 'object') {
    if (value instanceof Date) return value.toISOString();
    return asJsonObject(value as Record<string, unknown>, where, depth);
  }
  throw new TypeError(`${where} is a ${typeof value}, which JSON cannot hold`);
}
