import { Injectable } from '@nestjs/common';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import {
  ConfigSchemaValidator,
  type ConfigCheck,
} from '../../application/ports/config-schema-validator.port';
import type { JsonSchema } from '../../domain/catalog/service-definition';
import type { FieldViolation } from '../../domain/platform.errors';

/**
 * `ConfigSchemaValidator` on Ajv (JSON Schema draft-07, with ajv-formats). Ajv reports each
 * failing keyword with the JSON pointer of the value; these become one violation per field, by
 * the path clients write (`config.additional_data.phone_number_id`), with a message that names
 * no value.
 */
@Injectable()
export class AjvConfigSchemaValidator extends ConfigSchemaValidator {
  private readonly ajv: Ajv;

  constructor() {
    super();
    // Strict about keywords (a typo in a definition fails at start-up), not about spelling out types.
    this.ajv = new Ajv({
      allErrors: true,
      strict: true,
      strictTypes: false,
      strictRequired: false,
    });
    addFormats(this.ajv);
  }

  compile(schema: JsonSchema): ConfigCheck {
    const validate = this.ajv.compile(schema);
    return (config) => {
      if (validate(config)) return [];
      return violationsOf(validate.errors ?? []);
    };
  }
}

function violationsOf(errors: readonly ErrorObject[]): FieldViolation[] {
  const seen = new Set<string>();
  const violations: FieldViolation[] = [];
  for (const error of errors) {
    const violation = violationOf(error);
    if (violation === undefined) continue;
    const key = `${violation.field}\n${violation.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push(violation);
  }
  return violations;
}

function violationOf(error: ErrorObject): FieldViolation | undefined {
  const at = ['config', ...pointerSegments(error.instancePath)];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      return undefined; // the failing `then` reports the field itself
    case 'required':
      return { field: [...at, String(params.missingProperty)].join('.'), message: 'is required' };
    case 'dependencies':
      return {
        field: [...at, String(params.missingProperty)].join('.'),
        message: `is required with ${String(params.property)}`,
      };
    case 'additionalProperties':
      return {
        field: [...at, String(params.additionalProperty)].join('.'),
        message: 'is not a known field',
      };
    case 'type':
      return { field: at.join('.'), message: `must be ${article(String(params.type))}` };
    case 'minLength':
      return {
        field: at.join('.'),
        message: params.limit === 1 ? 'must not be empty' : (error.message ?? 'is too short'),
      };
    case 'format':
      return { field: at.join('.'), message: `must be a valid ${String(params.format)}` };
    case 'enum':
      return {
        field: at.join('.'),
        message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    default:
      return { field: at.join('.'), message: error.message ?? 'is not valid' };
  }
}

/** `/additional_data/a~1b` → `['additional_data', 'a/b']` (RFC 6901). */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
