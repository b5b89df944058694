import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { RESERVED_KEYS } from '../../domain/platform-configuration.value-object';
import { assertStorableText } from '../../domain/storable-text';
import {
  InvalidPlatformConfigError,
  RequestValidationError,
  type FieldViolation,
} from '../../domain/platform.errors';

/**
 * class-validator with unknown fields rejected (whitelist + forbidNonWhitelisted). Failures become
 * the module's own errors, with one `details` entry per field (`config.client_secret`), so the
 * error filter answers them like any other validation error.
 */
export function createRequestValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // The value is read only to tell a missing field apart; it never reaches a message.
    validationError: { target: false, value: true },
    exceptionFactory: (errors: ValidationError[]) => {
      const details = errors.flatMap((error) => violationsOf(error, ''));
      if (details.length > 0 && details.every((d) => d.field.startsWith('config.'))) {
        return new InvalidPlatformConfigError(details);
      }
      return new RequestValidationError(
        `Invalid request: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`,
        details,
      );
    },
  });
}

function violationsOf(error: ValidationError, prefix: string): FieldViolation[] {
  const field = prefix === '' ? error.property : `${prefix}.${error.property}`;
  const constraints = Object.keys(error.constraints ?? {});
  // A required field that is missing fails every rule of its value: say so once.
  if (
    error.value === undefined &&
    constraints.length > 0 &&
    !constraints.includes('whitelistValidation')
  ) {
    return [{ field, message: 'is required' }];
  }
  const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
    field,
    message:
      constraint === 'whitelistValidation'
        ? 'is not a known field'
        : message.startsWith(`${error.property} `)
          ? message.slice(error.property.length + 1)
          : message,
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => violationsOf(child, field))];
}

/** Names class-transformer silently skips (Object members) and so would not report as unknown. */
const OBJECT_MEMBER_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

/**
 * Rejects request members named like Object members before class-transformer drops them, at
 * the levels described by DTO classes (the body and its `config`); free-form `additional_data`
 * is left alone.
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      assertShallow(value);
      // NUL and unpaired surrogates: PostgreSQL would refuse them later, as a 500.
      assertStorableText(value, '');
      const details = [
        ...objectMemberKeys(value, ''),
        ...objectMemberKeys(configOf(value), 'config.'),
        ...reservedKeysIn(additionalDataOf(configOf(value))),
      ];
      if (details.length > 0 && details.every((d) => d.field.startsWith('config.'))) {
        throw new InvalidPlatformConfigError(details);
      }
      if (details.length > 0) {
        throw new RequestValidationError(
          `Invalid request: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`,
          details,
        );
      }
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/**
 * The deepest a request may nest (the body, `config`, then `additional_data`'s own limit).
 * Checked iteratively before anything recursive (class-transformer, the checks below) sees the
 * body: a 10 KB body of nested arrays would otherwise overflow the stack (500, not 400).
 */
const MAX_REQUEST_DEPTH = 16;

function assertShallow(value: unknown): void {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth >= MAX_REQUEST_DEPTH) {
      throw new RequestValidationError(
        `The request nests deeper than ${MAX_REQUEST_DEPTH} levels`,
        [{ field: 'body', message: `must not nest deeper than ${MAX_REQUEST_DEPTH} levels` }],
      );
    }
    for (const inner of Object.values(next.value))
      pending.push({ value: inner, depth: next.depth + 1 });
  }
}

function memberOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

const configOf = (value: unknown): unknown => memberOf(value, 'config');
const additionalDataOf = (config: unknown): unknown => memberOf(config, 'additional_data');

/**
 * Nest's ValidationPipe deletes `__proto__` and `constructor` keys at any depth before
 * validating: in free-form `additional_data` that would silently change what is stored, so
 * such keys are refused instead (the domain refuses them too).
 */
function reservedKeysIn(value: unknown): FieldViolation[] {
  if (typeof value !== 'object' || value === null) return [];
  const found = Object.keys(value).find((key) => RESERVED_KEYS.has(key));
  if (found !== undefined) {
    return [
      { field: 'config.additional_data', message: `must not use the reserved key "${found}"` },
    ];
  }
  return Object.values(value)
    .flatMap((inner) => reservedKeysIn(inner))
    .slice(0, 1);
}

function objectMemberKeys(value: unknown, prefix: string): FieldViolation[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.keys(value)
    .filter((key) => OBJECT_MEMBER_NAMES.has(key))
    .map((key) => ({ field: `${prefix}${key}`, message: 'is not a known field' }));
}
