import type { ServicePlatformModuleOptions } from '../service-platform';
import type { RotateKeysCommand } from './rotate-keys.args';

/**
 * The module as the rotation CLI runs it. Its outbox relay is off: a short-lived CLI without an
 * event broker leaves events to the service's instances (a relay only takes events whose targets
 * it has, so it could not complete those still to be published anyway, but it would still dispatch
 * in-process-only events and write their audit entries from a process that is about to exit).
 */
export function rotateKeysModuleOptions(command: RotateKeysCommand): ServicePlatformModuleOptions {
  return {
    // Waiting for a row a request holds locked is normal: allow more than the service's default.
    database: { url: command.databaseUrl, poolSize: 3, queryTimeoutMs: 30_000 },
    encryption: { keys: command.encryptionKeys },
    events: { relay: { enabled: false } },
    // Serves no reads; its version-preserving rewrites change nothing a cached view shows.
    cache: { enabled: false },
  };
}
