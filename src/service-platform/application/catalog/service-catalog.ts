import { BUILT_IN_SERVICES } from '../../domain/catalog/built-in';
import { genericServiceDefinition } from '../../domain/catalog/generic-service';
import { SecretPolicy } from '../../domain/catalog/secret-policy';
import {
  configSchemaOf,
  describeService,
  type ServiceDefinition,
  type ServiceDescription,
} from '../../domain/catalog/service-definition';
import { isServiceName } from '../../domain/identifiers';
import {
  InvalidPlatformConfigError,
  RequestValidationError,
  ServiceNotFoundError,
} from '../../domain/platform.errors';
import type { ConfigCheck, ConfigSchemaValidator } from '../ports/config-schema-validator.port';
import type { ServicePlatformDict } from '../../domain/service-platform.entity';

/** What a host app gives the module about services (`catalog` of the module options). */
export interface ServiceCatalogOptions {
  /** Services to add, or to replace built-in ones of the same name. */
  readonly services?: readonly ServiceDefinition[];
  /**
   * Whether a service the catalog does not know may be registered (default false). It then gets
   * a generic schema: `client_id` and `client_secret` required, every other field a secret.
   */
  readonly allowUnknownServices?: boolean;
}

interface Entry {
  readonly description: ServiceDescription;
  readonly secrets: SecretPolicy;
  readonly check: ConfigCheck;
}

/**
 * The services the module knows: what each needs, validates and shows. Built in: Outlook, Gmail,
 * Google Calendar, WhatsApp, Slack, Microsoft Teams, Salesforce, HubSpot, Zendesk and Twilio; a
 * host app adds or replaces services through the module options. Definitions are checked and
 * compiled once, at start-up: a broken one stops the app with a message naming it.
 */
export class ServiceCatalog {
  private readonly known = new Map<string, Entry>();
  private readonly unknown = new Map<string, Entry>();
  private genericRules: Entry | undefined;
  private readonly allowUnknown: boolean;

  constructor(
    options: ServiceCatalogOptions,
    private readonly validator: ConfigSchemaValidator,
  ) {
    this.allowUnknown = options.allowUnknownServices === true;
    for (const definition of [...BUILT_IN_SERVICES, ...(options.services ?? [])]) {
      const name = definition.name;
      const valid: boolean = isServiceName(name);
      if (!valid) {
        throw new Error(
          `Service catalog: '${name}' is not a service name (lower-case slug ^[a-z][a-z0-9_-]{0,63}$)`,
        );
      }
      this.known.set(definition.name, this.entryOf(definition));
    }
  }

  /** Every service of the catalog, by name. */
  list(): ServiceDescription[] {
    return [...this.known.values()]
      .map((entry) => entry.description)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One service; `ServiceNotFoundError` when the catalog does not have it. */
  describe(name: string): ServiceDescription {
    const entry = this.known.get(name);
    if (entry === undefined) throw new ServiceNotFoundError();
    return entry.description;
  }

  /** Which fields of a platform of this service may be shown (generic rules if unknown). */
  secretsOf(name: string): SecretPolicy {
    return this.entryFor(name).secrets;
  }

  /** A new platform may be registered for this service (refused when unknown, by default). */
  assertRegistrable(name: string): void {
    if (this.known.has(name) || this.allowUnknown) return;
    const message = 'is not a service of the catalog (GET /api/v1/services lists them)';
    throw new RequestValidationError(`service_name ${message}`, [
      { field: 'service_name', message },
    ]);
  }

  /** `InvalidPlatformConfigError`, one detail per field, when `config` breaks its schema. */
  assertValid(name: string, config: object): void {
    // No additional_data at all is checked as an empty one: the fields it lacks are named.
    const checked = 'additional_data' in config ? config : { ...config, additional_data: {} };
    const violations = this.entryFor(name).check(checked);
    if (violations.length > 0) throw new InvalidPlatformConfigError(violations);
  }

  private entryFor(name: string): Entry {
    const entry = this.known.get(name);
    if (entry !== undefined) return entry;
    let generic = this.unknown.get(name);
    if (generic === undefined) {
      // The generic rules do not depend on the name: compiled once (compiling per name cost
      // a page of unknown services ~30 ms of CPU), only the description is the service's own.
      this.genericRules ??= this.entryOf(genericServiceDefinition('unknown'));
      generic = {
        ...this.genericRules,
        description: describeService(genericServiceDefinition(name)),
      };
      // Bounded: service names come from stored rows and registrations allowed by the options.
      if (this.unknown.size < 1_000) this.unknown.set(name, generic);
    }
    return generic;
  }

  private entryOf(definition: ServiceDefinition): Entry {
    let check: ConfigCheck;
    try {
      check = this.validator.compile(configSchemaOf(definition));
    } catch (error) {
      throw new Error(
        `Service catalog: the definition of '${definition.name}' is not valid: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return {
      description: describeService(definition),
      secrets: new SecretPolicy(definition),
      check,
    };
  }
}

/**
 * A platform view as the catalog's current rules show it. Views stored earlier (the Redis read
 * cache, idempotent replays) were masked by the rules of their time: a field declared secret
 * since then is masked again here. Masking is idempotent, so a view that is already right is
 * returned equal.
 */
export function shownByCatalog(
  view: ServicePlatformDict,
  catalog: ServiceCatalog,
): ServicePlatformDict {
  return { ...view, config: catalog.secretsOf(view.service_name).mask(view.config) };
}
