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
