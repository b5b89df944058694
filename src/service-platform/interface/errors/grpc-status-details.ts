import type { FieldViolation } from '../../domain/platform.errors';

/** `domain` of the google.rpc.ErrorInfo this module attaches to its gRPC errors. */
export const ERROR_INFO_DOMAIN = 'serviceplatform.v1';

const TYPE_URL_PREFIX = 'type.googleapis.com/';

export interface RichStatus {
  readonly code: number;
  readonly message: string;
  /** The module's error code (google.rpc.ErrorInfo `reason`). */
  readonly reason: string;
  /** google.rpc.BadRequest field violations; none → no BadRequest detail. */
  readonly fieldViolations: readonly FieldViolation[];
}

/**
 * The `grpc-status-details-bin` trailer of gRPC's richer error model: a serialized
 * `google.rpc.Status { code, message, details: [Any(ErrorInfo), Any(BadRequest)?] }`.
 * Written by hand (a few length-delimited fields) rather than with a protobuf runtime, so that
 * the module does not need the google/rpc .proto files at run time.
 */
export function encodeStatusDetails(status: RichStatus): Buffer {
  const details: Buffer[] = [
    any(
      'google.rpc.ErrorInfo',
      Buffer.concat([stringField(1, status.reason), stringField(2, ERROR_INFO_DOMAIN)]),
    ),
  ];
  if (status.fieldViolations.length > 0) {
    const violations = status.fieldViolations.map((violation) =>
      // google.rpc.BadRequest.FieldViolation { field = 1; description = 2 }
      bytesField(
        1,
        Buffer.concat([stringField(1, violation.field), stringField(2, violation.message)]),
      ),
    );
    details.push(any('google.rpc.BadRequest', Buffer.concat(violations)));
  }
  return Buffer.concat([
    varintField(1, status.code),
    stringField(2, status.message),
    ...details.map((detail) => bytesField(3, detail)),
  ]);
}

/** google.protobuf.Any { type_url = 1; value = 2 } */
function any(typeName: string, value: Buffer): Buffer {
  return Buffer.concat([stringField(1, `${TYPE_URL_PREFIX}${typeName}`), bytesField(2, value)]);
}

function varintField(field: number, value: number): Buffer {
  return value === 0 ? Buffer.alloc(0) : Buffer.concat([varint(field << 3), varint(value)]);
}

function stringField(field: number, value: string): Buffer {
  return value === '' ? Buffer.alloc(0) : bytesField(field, Buffer.from(value, 'utf8'));
}

function bytesField(field: number, value: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);
}

/** Unsigned LEB128, as protobuf encodes non-negative integers. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
