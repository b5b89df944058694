import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import {
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth';
import { ServicePlatformReadiness } from '../service-platform';

interface StatusWriter {
  status(code: number): unknown;
}

/**
 * The readiness probe (the liveness probe is answered by the HTTP server itself, see
 * `answerLiveness`): no token, not rate limited. Infrastructure, not API: the probes are
 * documented in docs/operations.md rather than in the OpenAPI document.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ServicePlatformReadiness,
  ) {}

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: StatusWriter): Promise<HealthCheckResult> {
    const report = await this.readiness.check();
    const result = (key: 'database' | 'encryption'): HealthIndicatorResult => {
      const component = report[key];
      const session = this.indicators.check(key);
      return component.up ? session.up() : session.down({ message: component.reason ?? 'down' });
    };
    const database = result('database');
    const encryption = result('encryption');
    // Reported, not required: while Redis is down, events wait in the outbox.
    const { broker, outbox } = report.events;
    const events: HealthIndicatorResult = {
      events: {
        status: broker.up || !broker.configured ? 'up' : 'down',
        broker: broker.configured ? (broker.up ? 'up' : 'down') : 'not configured',
        ...(broker.reason !== undefined && broker.configured && { message: broker.reason }),
        outbox_pending: outbox?.pending ?? null,
        outbox_oldest_pending_age_ms: outbox?.oldestPendingAgeMs ?? null,
      },
    };
    // Reported, not required: a cache miss reads the database.
    const { cache } = report;
    const cacheDetails: HealthIndicatorResult = {
      cache: {
        status:
          !cache.enabled ||
          (cache.memoryInUse &&
            ['up', 'not configured'].includes(cache.shared) &&
            cache.pendingInvalidations === 0)
            ? 'up'
            : 'down',
        enabled: cache.enabled,
        memory: cache.memoryInUse ? 'in use' : 'not in use (change feed not listening)',
        redis: cache.shared,
        pending_invalidations: cache.pendingInvalidations,
      },
    };
    // Not ready from the first moment of a graceful shutdown: no new work is sent here.
    const lifecycle: HealthIndicatorResult = {
      lifecycle: report.shuttingDown
        ? { status: 'down', message: 'shutting down: finishing the requests in flight' }
        : { status: 'up' },
    };
    const ready = report.ready;
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ready ? 'ok' : 'error',
      info: {
        ...(report.database.up && database),
        ...(report.encryption.up && encryption),
        ...(!report.shuttingDown && lifecycle),
      },
      error: {
        ...(!report.database.up && database),
        ...(!report.encryption.up && encryption),
        ...(report.shuttingDown && lifecycle),
      },
      details: { ...database, ...encryption, ...lifecycle, ...events, ...cacheDetails },
    };
  }
}
