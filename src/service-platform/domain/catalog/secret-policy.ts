import type { FieldVisibility } from '../field-changes';
import { MASKED_SECRET, isSecretValue } from '../secret-fields';
import { fieldsOf, type ServiceDefinition } from './service-definition';

type JsonObject = { [key: string]: unknown };

/**
 * Which fields of a service's configuration may be shown: those its definition declares public,
 * and nothing else. Every other field, undeclared `additional_data` keys included, is a secret:
 * its value becomes `"********"` wherever a configuration leaves the module (answers, events,
 * the audit trail, the cache, logs). A public string that is itself a credential (a URL with a
 * password, a PEM private key, a JWT) is masked too: a field declared public cannot leak one.
 */
export class SecretPolicy implements FieldVisibility {
  private readonly publicPaths: ReadonlySet<string>;

  constructor(definition: ServiceDefinition) {
    this.publicPaths = new Set(
      fieldsOf(definition)
        .filter((entry) => entry.public)
        .map((entry) => entry.path),
    );
  }

  /** `client_id`, `tenant_id`, `additional_data.region`: whether the field is shown in clear. */
  isPublic(path: string): boolean {
    return this.publicPaths.has(path);
  }

  /** Whether this value of this field may be shown (public, and not a credential itself). */
  shows(path: string, value: unknown): boolean {
    return this.isPublic(path) && !holdsCredential(value);
  }

  /** A configuration as it may be shown: every secret value replaced by the mask. */
  mask(config: Readonly<JsonObject>): JsonObject {
    const masked: JsonObject = {};
    for (const [key, value] of Object.entries(config)) {
      if (key === 'additional_data' && isObject(value)) {
        masked.additional_data = Object.fromEntries(
          Object.entries(value).map(([name, inner]) => [
            name,
            this.shown(`additional_data.${name}`, inner),
          ]),
        );
      } else {
        masked[key] = this.shown(key, value);
      }
    }
    return masked;
  }

  private shown(path: string, value: unknown): unknown {
    return this.shows(path, value) ? value : MASKED_SECRET;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a public value carries a credential anyway (anywhere inside it). */
function holdsCredential(value: unknown): boolean {
  if (typeof value === 'string') return isSecretValue(value);
  if (Array.isArray(value)) return value.some(holdsCredential);
  if (isObject(value)) return Object.values(value).some(holdsCredential);
  return false;
}
