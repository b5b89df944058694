import { existsSync } from 'node:fs';
import * as api from '../../src/service-platform';

/**
 * The package's runtime exports: what a host app needs and nothing else (issue 12). Adding one
 * is a decision about the public API: make it here, on purpose.
 */
describe('public API (index.ts)', () => {
  it('exports exactly the host-facing names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DEFAULT_OUTBOX_RELAY_SETTINGS',
      'HistoryRemasker',
      'InvalidPlatformConfigError',
      'KeyRotationService',
      'KeysRotatedEvent',
      'PLATFORM_CHANGE_EVENTS',
      'PlatformActivatedEvent',
      'PlatformAlreadyExistsError',
      'PlatformChangeEvent',
      'PlatformCredentialsResolver',
      'PlatformDeactivatedEvent',
      'PlatformErrorCode',
      'PlatformEventType',
      'PlatformInactiveError',
      'PlatformNotFoundError',
      'PlatformRegisteredEvent',
      'PlatformServiceError',
      'PlatformUpdatedEvent',
      'Role',
      'RotationInterruptedError',
      'SERVICE_PLATFORM_GRPC_PACKAGE',
      'SERVICE_PLATFORM_PROTO_LOADER_OPTIONS',
      'SERVICE_PLATFORM_PROTO_PATH',
      'ServicePlatformGrpcHealth',
      'ServicePlatformKeyRotationModule',
      'ServicePlatformMetrics',
      'ServicePlatformModule',
      'ServicePlatformReadiness',
      'ServicePlatformService',
      'fromStruct',
      'servicePlatformGrpcOptions',
      'toStruct',
    ]);
  });

  it('the proto path points at the shipped .proto', () => {
    expect(api.SERVICE_PLATFORM_PROTO_PATH).toMatch(/service_platform\.proto$/);
    expect(existsSync(api.SERVICE_PLATFORM_PROTO_PATH)).toBe(true);
  });
});
