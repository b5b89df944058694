import type { ServicePlatformModuleOptions } from '../service-platform';
import type { RotateKeysCommand } from './rotate-keys.args';

/**
 * The module as the rotation CLI runs it. Its outbox relay is off: the CLI has no event broker
 * configured, and a relay without one would mark events dispatched that the service's instances
 * have not yet published.
 */
export function rotateKeysModuleOptions(command: RotateKeysCommand): ServicePlatformModuleOptions {
  return {
    // Waiting for a row a request holds locked is normal: allow more than the service's default.
    database: { url: command.databaseUrl, poolSize: 3, queryTimeoutMs: 30_000 },
    encryption: { keys: command.encryptionKeys },
    events: { relay: { enabled: false } },
  };
}
