/** A JSON Schema (draft-07) fragment, as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** One field of a service's configuration. */
export interface ServiceFieldDefinition {
  /**
   * The JSON Schema of the value: `type`, `format`, `pattern`, `enum`, `minLength`... and the
   * `title` and `description` a form shows. Strings default to `minLength: 1`.
   */
  readonly schema: JsonSchema;
  /** Shown in clear in answers, events and the audit trail. Default false: a secret. */
  readonly public?: boolean;
  /** Whether a configuration must have it. `client_id` and `client_secret` always must. */
  readonly required?: boolean;
}

/** A link to the provider's own documentation of the credentials. */
export interface ServiceDocLink {
  readonly title: string;
  readonly url: string;
}

/**
 * What a third-party service needs from a tenant: the fields of its `config` (the three named
 * ones and those of `additional_data`), which are public, which are required, and where the
 * provider documents them. Any field not declared public is a secret, undeclared keys of
 * `additional_data` included: encrypted at rest, masked everywhere.
 */
export interface ServiceDefinition {
  /** The `service_name` of platforms of this service (a lower-case slug). */
  readonly name: string;
  readonly displayName: string;
  readonly description?: string;
  readonly docs: readonly ServiceDocLink[];
  readonly config: {
    readonly client_id: ServiceFieldDefinition;
    /** Always secret and required, whatever the definition says. */
    readonly client_secret: ServiceFieldDefinition;
    /** The provider's own tenant; left out: the service does not use one (still accepted, secret). */
    readonly tenant_id?: ServiceFieldDefinition;
  };
  /** Declared keys of `additional_data`; other keys are accepted and secret. */
  readonly additional_data?: Readonly<Record<string, ServiceFieldDefinition>>;
  /**
   * Rules across fields, as JSON Schemas the whole `config` must also match (`if`/`then`,
   * `dependencies`...).
   */
  readonly constraints?: readonly JsonSchema[];
}

/** The catalog's view of a service: its definition as a form or a client reads it. */
export interface ServiceDescription {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly docs: readonly ServiceDocLink[];
  /** JSON Schema (draft-07) of the platform `config`. */
  readonly schema: JsonSchema;
  /** Paths within `config` (`client_id`, `additional_data.waba_id`). */
  readonly requiredFields: readonly string[];
  readonly publicFields: readonly string[];
  /** Declared secret fields; any undeclared key of `additional_data` is secret too. */
  readonly secretFields: readonly string[];
}

const TOP_LEVEL = ['client_id', 'client_secret', 'tenant_id'] as const;

/** Every declared field of a definition, by path within `config`. */
export function fieldsOf(definition: ServiceDefinition): ReadonlyArray<{
  path: string;
  field: ServiceFieldDefinition;
  public: boolean;
  required: boolean;
}> {
  const fields: {
    path: string;
    field: ServiceFieldDefinition;
    public: boolean;
    required: boolean;
  }[] = [];
  for (const name of TOP_LEVEL) {
    const field = definition.config[name];
    if (field === undefined) continue;
    const credential = name === 'client_id' || name === 'client_secret';
    fields.push({
      path: name,
      field,
      public: name !== 'client_secret' && field.public === true,
      required: credential || field.required === true,
    });
  }
  for (const [key, field] of Object.entries(definition.additional_data ?? {})) {
    fields.push({
      path: `additional_data.${key}`,
      field,
      public: field.public === true,
      required: field.required === true,
    });
  }
  return fields;
}

/** Strings are non-empty unless a definition says otherwise. */
function valueSchema(field: ServiceFieldDefinition): JsonSchema {
  const schema = field.schema;
  return schema.type === 'string' && schema.minLength === undefined
    ? { ...schema, minLength: 1 }
    : schema;
}

/**
 * The JSON Schema of a platform's `config` for this service: the named fields, `additional_data`
 * with its declared keys (others allowed), required fields, and `writeOnly` on secrets (clients
 * write them, answers never show them).
 */
export function configSchemaOf(definition: ServiceDefinition): JsonSchema {
  const fields = fieldsOf(definition);
  const top = fields.filter(({ path }) => !path.startsWith('additional_data.'));
  const extra = fields.filter(({ path }) => path.startsWith('additional_data.'));
  const property = (entry: (typeof fields)[number]): JsonSchema => ({
    ...valueSchema(entry.field),
    ...(!entry.public && { writeOnly: true }),
  });
  const properties: Record<string, JsonSchema> = Object.fromEntries(
    top.map((entry) => [entry.path, property(entry)]),
  );
  // A field the service does not declare is still a string the client may send: a secret.
  properties.tenant_id ??= {
    type: 'string',
    minLength: 1,
    writeOnly: true,
    description: 'Not used by this service; kept as a secret if sent',
  };
  const extraRequired = extra
    .filter((entry) => entry.required)
    .map((entry) => entry.path.slice(16));
  properties.additional_data = {
    type: 'object',
    description:
      'Provider-specific settings. Keys not declared here are accepted and treated as secrets.',
    properties: Object.fromEntries(extra.map((entry) => [entry.path.slice(16), property(entry)])),
    ...(extraRequired.length > 0 && { required: extraRequired }),
    additionalProperties: true,
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${definition.displayName} configuration`,
    type: 'object',
    properties,
    required: [
      ...top.filter((entry) => entry.required).map((entry) => entry.path),
      ...(extraRequired.length > 0 ? ['additional_data'] : []),
    ],
    additionalProperties: false,
    ...(definition.constraints !== undefined &&
      definition.constraints.length > 0 && { allOf: definition.constraints }),
  };
}

export function describeService(definition: ServiceDefinition): ServiceDescription {
  const fields = fieldsOf(definition);
  return {
    name: definition.name,
    displayName: definition.displayName,
    description: definition.description ?? '',
    docs: definition.docs,
    schema: configSchemaOf(definition),
    requiredFields: fields.filter((entry) => entry.required).map((entry) => entry.path),
    publicFields: fields.filter((entry) => entry.public).map((entry) => entry.path),
    secretFields: fields.filter((entry) => !entry.public).map((entry) => entry.path),
  };
}
