import {
  ServerInterceptingCall,
  status as GrpcStatus,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServicePlatformMetrics } from '../service-platform';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const GRPC_CODE_NAMES = Object.fromEntries(
  Object.entries(GrpcStatus).map(([name, code]) => [code, name]),
) as Record<number, string>;

/**
 * The demo app's Prometheus metrics (prom-client, a registry per app): HTTP requests and gRPC
 * calls as they happen, and the module's own numbers (outbox, relay failures, cache, key ring)
 * read from `ServicePlatformMetrics` at each scrape.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly grpcCalls: Counter<'method' | 'code'>;
  private readonly grpcDuration: Histogram<'method' | 'code'>;
  private module: ServicePlatformMetrics | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route (the matched pattern) and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency, by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.grpcCalls = new Counter({
      name: 'grpc_server_handled_total',
      help: 'gRPC calls answered, by method and status code',
      labelNames: ['method', 'code'],
      registers,
    });
    this.grpcDuration = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'gRPC call latency, by method and status code',
      labelNames: ['method', 'code'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    // One snapshot per scrape, shared by every gauge below (it runs the readiness check).
    let latest: { at: number; value: ReturnType<ServicePlatformMetrics['snapshot']> } | undefined;
    const snapshot = (): ReturnType<ServicePlatformMetrics['snapshot']> | undefined => {
      if (this.module === undefined) return undefined;
      if (latest === undefined || Date.now() - latest.at > 1000) {
        latest = { at: Date.now(), value: this.module.snapshot(2000) };
      }
      return latest.value;
    };
    const gauge = (
      name: string,
      help: string,
      read: (s: Awaited<ReturnType<ServicePlatformMetrics['snapshot']>>) => number | null,
      labelNames: string[] = [],
      labels: (
        s: Awaited<ReturnType<ServicePlatformMetrics['snapshot']>>,
      ) => Record<string, string> = () => ({}),
    ): void => {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const current = await snapshot();
          if (current === undefined) return;
          const value = read(current);
          if (value !== null) this.set(labels(current), value);
        },
      });
    };
    gauge(
      'service_platform_outbox_pending_events',
      'Change events not yet delivered to every target',
      (s) => s.outbox?.pending ?? null,
    );
    gauge(
      'service_platform_outbox_oldest_pending_age_seconds',
      'Age of the oldest undelivered change event (0 when none)',
      (s) => (s.outbox === null ? null : (s.outbox.oldestPendingAgeMs ?? 0) / 1000),
    );
    gauge(
      'service_platform_relay_failures_total',
      'Event dispatches that failed and were retried later',
      (s) => s.relayFailures,
    );
    gauge(
      'service_platform_cache_hits_total',
      'GetPlatform answers from the read cache',
      (s) => s.cacheHits,
    );
    gauge(
      'service_platform_cache_misses_total',
      'GetPlatform lookups that read the database',
      (s) => s.cacheMisses,
    );
    gauge(
      'service_platform_key_ring_ready',
      'Whether the key ring opens the stored data keys (1) or not (0), by primary key id',
      (s) => (s.keyRing.ready ? 1 : 0),
      ['primary_key_id'],
      (s) => ({ primary_key_id: s.keyRing.primaryKeyId }),
    );
    gauge(
      'service_platform_key_ring_keys',
      'Master keys in ENCRYPTION_KEYS',
      (s) => s.keyRing.keyIds.length,
    );
    gauge('service_platform_database_up', 'Whether the database answers (1) or not (0)', (s) =>
      s.databaseUp ? 1 : 0,
    );
  }

  /** Once the app is built: the module whose numbers are reported. */
  attach(module: ServicePlatformMetrics): void {
    this.module = module;
  }

  recordHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** A grpc-js server interceptor counting every call with its final status (auth refusals too). */
  readonly grpcInterceptor: ServerInterceptor = (descriptor, call) => {
    const started = process.hrtime.bigint();
    return new ServerInterceptingCall(call, {
      sendStatus: (status, next) => {
        const labels = {
          method: descriptor.path,
          code: GRPC_CODE_NAMES[status.code] ?? String(status.code),
        };
        this.grpcCalls.inc(labels);
        this.grpcDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        next(status);
      },
    });
  };
}
