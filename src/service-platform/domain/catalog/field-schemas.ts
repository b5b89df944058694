import type { JsonSchema, ServiceFieldDefinition } from './service-definition';

/** Schemas the built-in definitions share. */
export const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const DIGITS = '^[0-9]+$';
const E164 = '^\\+[1-9][0-9]{1,14}$';

export function text(title: string, description: string, extra: JsonSchema = {}): JsonSchema {
  return { type: 'string', title, description, ...extra };
}

/** A public field. */
export function shown(schema: JsonSchema, required = false): ServiceFieldDefinition {
  return { schema, public: true, ...(required && { required }) };
}

/** A secret field (the default for anything a definition does not declare public). */
export function secret(schema: JsonSchema, required = false): ServiceFieldDefinition {
  return { schema, ...(required && { required }) };
}

export const guid = (title: string, description: string): JsonSchema =>
  text(title, description, { pattern: GUID });

export const digits = (title: string, description: string): JsonSchema =>
  text(title, description, { pattern: DIGITS });

export const url = (title: string, description: string): JsonSchema =>
  text(title, description, { format: 'uri', maxLength: 2048 });

export const e164 = (title: string, description: string): JsonSchema =>
  text(title, description, { pattern: E164 });

export const scopes = (description: string): ServiceFieldDefinition =>
  shown({
    type: 'array',
    title: 'Scopes',
    description,
    items: { type: 'string', minLength: 1 },
    maxItems: 100,
  });

export const redirectUri = (description: string): ServiceFieldDefinition =>
  shown(url('Redirect URI', description));

export const refreshToken = (description: string): ServiceFieldDefinition =>
  secret(text('Refresh token', description));
