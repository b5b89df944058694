import type { JsonSchema } from '../../domain/catalog/service-definition';
import type { FieldViolation } from '../../domain/platform.errors';

/** Checks a configuration against its service's schema; an empty list means valid. */
export type ConfigCheck = (config: unknown) => FieldViolation[];

/**
 * Compiles the JSON Schemas of the service catalog (draft-07). Violations name fields by their
 * path as clients write them (`config.additional_data.phone_number_id`) and never quote a value.
 */
export abstract class ConfigSchemaValidator {
  /** Throws, naming the problem, when `schema` is not a valid schema. */
  abstract compile(schema: JsonSchema): ConfigCheck;
}
