import {
  ServiceCatalog,
  type ServiceCatalogOptions,
} from '../../src/service-platform/application/catalog/service-catalog';
import type { SecretPolicy } from '../../src/service-platform/domain/catalog/secret-policy';
import { AjvConfigSchemaValidator } from '../../src/service-platform/infrastructure/catalog/ajv-config-schema.validator';

/** The module's catalog (built-in services, Ajv), for tests that build domain objects by hand. */
export function testCatalog(options: ServiceCatalogOptions = {}): ServiceCatalog {
  return new ServiceCatalog(options, new AjvConfigSchemaValidator());
}

const DEFAULT = testCatalog();

/** The built-in rules of a service (generic ones for a name the catalog does not know). */
export function secretsOf(service: string): SecretPolicy {
  return DEFAULT.secretsOf(service);
}
