import { randomBytes } from 'node:crypto';
import { RequestValidationError } from './platform.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERVICE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function isServiceName(value: unknown): value is string {
  return typeof value === 'string' && SERVICE_NAME.test(value);
}

/** Asserts a UUID and returns it lower-cased, so ids compare equal however a client spelled them. */
export function assertUuid(value: unknown, field: string): string {
  if (!isUuid(value))
    throw new RequestValidationError(`${field} must be a UUID`, [
      { field, message: 'must be a UUID' },
    ]);
  return value.toLowerCase();
}

export function assertServiceName(value: unknown, field = 'service_name'): string {
  if (!isServiceName(value)) {
    const message = 'must be a lower-case slug matching ^[a-z][a-z0-9_-]{0,63}$';
    throw new RequestValidationError(`${field} ${message}`, [{ field, message }]);
  }
  return value;
}

let lastTimestamp = 0;
let lastRandom = Buffer.alloc(10);

/**
 * A new UUIDv7 (RFC 9562): 48-bit Unix milliseconds then random bits, so ids sort in creation
 * order (the list order). Within one millisecond the random part is incremented, keeping ids of
 * one process strictly increasing.
 */
export function newTimeOrderedId(now = Date.now()): string {
  const random = randomBytes(10);
  if (now <= lastTimestamp) {
    now = lastTimestamp;
    random.set(lastRandom);
    for (let i = random.length - 1; i >= 0; i--) {
      random[i] = ((random[i] as number) + 1) & 0xff;
      if (random[i] !== 0) break;
    }
  }
  lastTimestamp = now;
  lastRandom = random;
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(now, 0, 6);
  random.copy(bytes, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f); // version 7
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f); // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
