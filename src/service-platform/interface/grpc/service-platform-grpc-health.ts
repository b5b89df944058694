import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { ServicePlatformReadiness } from '../../application/health/service-platform-readiness';

/** The fully qualified name of the module's gRPC service (a key of grpc.health.v1.Health). */
export const SERVICE_PLATFORM_GRPC_SERVICE = 'serviceplatform.v1.PlatformService';

/** How often readiness is re-checked once `start()` has been called. */
export const DEFAULT_HEALTH_INTERVAL_MS = 5000;

/**
 * The standard `grpc.health.v1.Health` service, following the module's readiness (database
 * reachable, key ring usable): SERVING when ready, NOT_SERVING otherwise, for the overall server
 * (service "") and for `serviceplatform.v1.PlatformService`. Readiness is re-checked every few
 * seconds after `start()`, and the status is NOT_SERVING again once the app shuts down.
 */
@Injectable()
export class ServicePlatformGrpcHealth implements OnModuleDestroy {
  /** Add to a gRPC server with `addToServer(server)` (`servicePlatformGrpcOptions` does). */
  readonly implementation = new HealthImplementation({
    '': 'NOT_SERVING',
    [SERVICE_PLATFORM_GRPC_SERVICE]: 'NOT_SERVING',
  });

  private readonly logger = new Logger('ServicePlatformGrpcHealth');
  private current: ServingStatus = 'NOT_SERVING';
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<ServingStatus> | undefined;
  private stopped = false;

  constructor(private readonly readiness: ServicePlatformReadiness) {}

  get status(): ServingStatus {
    return this.current;
  }

  /** Checks readiness now, then every `intervalMs` until the app closes. Idempotent. */
  async start(intervalMs = DEFAULT_HEALTH_INTERVAL_MS): Promise<ServingStatus> {
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.refresh(), intervalMs);
      this.timer.unref();
    }
    return this.refresh();
  }

  /** Re-checks readiness and publishes the status (watchers are told only of changes). */
  refresh(): Promise<ServingStatus> {
    this.inFlight ??= this.readiness
      .check()
      .then(
        (report): ServingStatus => (report.ready ? 'SERVING' : 'NOT_SERVING'),
        (): ServingStatus => 'NOT_SERVING',
      )
      .then((status) => {
        this.publish(status);
        return status;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  onModuleDestroy(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    this.setStatus('NOT_SERVING');
  }

  private publish(status: ServingStatus): void {
    if (this.stopped || status === this.current) return;
    if (status === 'SERVING') this.logger.log('gRPC health: SERVING');
    else this.logger.warn(`gRPC health: ${status} (the module is not ready)`);
    this.setStatus(status);
  }

  private setStatus(status: ServingStatus): void {
    this.current = status;
    this.implementation.setStatus('', status);
    this.implementation.setStatus(SERVICE_PLATFORM_GRPC_SERVICE, status);
  }
}
