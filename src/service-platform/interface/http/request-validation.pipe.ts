import { ValidationPipe, type ValidationError } from '@nestjs/common';
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
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
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
