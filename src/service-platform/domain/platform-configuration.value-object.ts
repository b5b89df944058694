import { InvalidPlatformConfigError, type FieldViolation } from './platform.errors';
import type { SecretPolicy } from './catalog/secret-policy';
import { MASKED_SECRET } from './secret-fields';
import { assertStorableText } from './storable-text';
import { canonicalJson } from './canonical-json';

export type JsonObject = { [key: string]: unknown };

/** The configuration in the spec's wire shape (snake_case); used for storage and transports. */
export interface PlatformConfigurationData {
  client_id: string;
  client_secret: string;
  tenant_id?: string;
  additional_data?: JsonObject;
}

/**
 * A partial change. A field left out keeps its stored value; `tenant_id: null` removes the
 * provider tenant; in `additional_data` keys merge and a `null` value removes that key.
 */
export interface PlatformConfigurationPatch {
  client_id?: unknown;
  client_secret?: unknown;
  tenant_id?: unknown;
  additional_data?: unknown;
}

/**
 * A client that sends back what it read would overwrite a real secret with the mask: refused
 * (leave the field out to keep the stored value).
 */
const MASK_ECHOED = `must be the real value, not the mask "${MASKED_SECRET}" (leave it out to keep the stored one)`;

function containsMask(value: unknown): boolean {
  if (value === MASKED_SECRET) return true;
  if (Array.isArray(value)) return value.some(containsMask);
  return value !== null && typeof value === 'object' && Object.values(value).some(containsMask);
}

/** Keys that take part in prototype poisoning; HTTP stacks strip them, so they are refused. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

const LIMITS = {
  clientId: 512,
  clientSecret: 8192,
  providerTenantId: 256,
  additionalDataKey: 128,
  additionalDataDepth: 8,
} as const;

/**
 * The spec's `PlatformConfiguration`: provider credentials of one tenant for one service.
 * Immutable; `create` enforces the business rule that credentials are present.
 */
export class PlatformConfiguration {
  private constructor(private readonly data: Readonly<PlatformConfigurationData>) {}

  /** Validates untrusted input (a transport, or a host app calling the facade). */
  static create(input: unknown): PlatformConfiguration {
    const violations: FieldViolation[] = [];
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new InvalidPlatformConfigError([{ field: 'config', message: 'must be an object' }]);
    }
    // Host apps may call the facade directly: text PostgreSQL refuses is a client error here too.
    assertStorableText(input, 'config');
    const raw = input as Record<string, unknown>;
    for (const key of Object.keys(raw)) {
      if (!['client_id', 'client_secret', 'tenant_id', 'additional_data'].includes(key)) {
        violations.push({ field: `config.${key}`, message: 'is not a known configuration field' });
      }
    }
    const clientId = requiredString(raw.client_id, 'config.client_id', LIMITS.clientId, violations);
    const clientSecret = requiredString(
      raw.client_secret,
      'config.client_secret',
      LIMITS.clientSecret,
      violations,
    );
    let tenantId: string | undefined;
    if (raw.tenant_id !== undefined && raw.tenant_id !== null) {
      tenantId = requiredString(
        raw.tenant_id,
        'config.tenant_id',
        LIMITS.providerTenantId,
        violations,
      );
    }
    let additionalData: JsonObject | undefined;
    if (raw.additional_data !== undefined && raw.additional_data !== null) {
      additionalData = validAdditionalData(raw.additional_data, violations);
    }
    if (clientSecret === MASKED_SECRET) {
      violations.push({ field: 'config.client_secret', message: MASK_ECHOED });
    }
    if (additionalData !== undefined && containsMask(additionalData)) {
      violations.push({ field: 'config.additional_data', message: MASK_ECHOED });
    }
    if (violations.length > 0) throw new InvalidPlatformConfigError(violations);

    const data: PlatformConfigurationData = {
      client_id: clientId as string,
      client_secret: clientSecret as string,
    };
    if (tenantId !== undefined) data.tenant_id = tenantId;
    if (additionalData !== undefined && Object.keys(additionalData).length > 0) {
      data.additional_data = additionalData;
    }
    return new PlatformConfiguration(Object.freeze(data));
  }

  /** Rebuilds a configuration that was validated when it was written (decrypted storage). */
  static fromStored(data: PlatformConfigurationData): PlatformConfiguration {
    return PlatformConfiguration.create(data);
  }

  get clientId(): string {
    return this.data.client_id;
  }

  get providerTenantId(): string | undefined {
    return this.data.tenant_id;
  }

  /** Applies a partial change and validates the result as a whole. */
  merge(patch: PlatformConfigurationPatch): PlatformConfiguration {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
      throw new InvalidPlatformConfigError([{ field: 'config', message: 'must be an object' }]);
    }
    const next: Record<string, unknown> = { ...this.data };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (key === 'additional_data') {
        next.additional_data = mergeAdditionalData(this.data.additional_data, value);
      } else if (value === null && key === 'tenant_id') {
        delete next.tenant_id;
      } else {
        next[key] = value;
      }
    }
    return PlatformConfiguration.create(next);
  }

  equals(other: PlatformConfiguration): boolean {
    return canonicalJson(this.data) === canonicalJson(other.data);
  }

  /** The plaintext configuration, secrets included: only for encryption and the resolver. */
  toPlain(): PlatformConfigurationData {
    return structuredClone(this.data);
  }

  /**
   * The configuration as every response, log, event and audit row may show it: what its
   * service's `policy` declares public in clear, every other value masked.
   */
  toMasked(policy: SecretPolicy): JsonObject {
    return policy.mask(this.data);
  }

  /** Never let a value slip out through JSON.stringify: without a policy, everything is masked. */
  toJSON(): JsonObject {
    return Object.fromEntries(Object.keys(this.data).map((key) => [key, MASKED_SECRET]));
  }

  toString(): string {
    return '[PlatformConfiguration]';
  }
}

function requiredString(
  value: unknown,
  field: string,
  maxLength: number,
  violations: FieldViolation[],
): string | undefined {
  if (typeof value !== 'string') {
    violations.push({
      field,
      message: value === undefined || value === null ? 'is required' : 'must be a string',
    });
    return undefined;
  }
  if (value.trim().length === 0) {
    violations.push({ field, message: 'must not be empty' });
    return undefined;
  }
  if (value.length > maxLength) {
    violations.push({ field, message: `must be at most ${maxLength} characters` });
    return undefined;
  }
  return value;
}

function validAdditionalData(value: unknown, violations: FieldViolation[]): JsonObject | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    violations.push({ field: 'config.additional_data', message: 'must be an object' });
    return undefined;
  }
  const problem = jsonProblem(value, 0);
  if (problem !== null) {
    violations.push({ field: 'config.additional_data', message: problem });
    return undefined;
  }
  return structuredClone(value) as JsonObject;
}

/** Returns why a value is not plain, bounded JSON, or null when it is. */
function jsonProblem(value: unknown, depth: number): string | null {
  if (depth > LIMITS.additionalDataDepth) {
    return `must not nest deeper than ${LIMITS.additionalDataDepth} levels`;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'must hold finite numbers';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key.length === 0 || key.length > LIMITS.additionalDataKey) {
        return `keys must be 1 to ${LIMITS.additionalDataKey} characters`;
      }
      if (RESERVED_KEYS.has(key)) return `must not use the reserved key "${key}"`;
      const problem = jsonProblem(inner, depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  return 'must hold only JSON values';
}

/** A plain object (of any realm): its prototype is null or a root `Object.prototype`. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

function mergeAdditionalData(current: JsonObject | undefined, patch: unknown): unknown {
  if (patch === null) return undefined; // the whole object removed
  if (typeof patch !== 'object' || Array.isArray(patch)) return patch; // rejected by create()
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
