import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import request from 'supertest';
import { AppMetrics } from '../../src/observability/app-metrics';
import { startMetricsServer } from '../../src/observability/metrics-server';
import { tokenFor } from '../support/auth';
import { newTenantId, validConfig } from '../support/fixtures';
import { callRpc, createPlatformClient, freePort } from '../support/grpc-client';
import { PLATFORMS, startHybridTestApp } from '../support/test-app';
import { API } from './e2e-helpers';

interface LogLine {
  msg?: string;
  req?: { id?: string; method?: string; url?: string };
  res?: Record<string, unknown>;
  route?: string;
  actor_id?: string;
  tenant_id?: string;
  platform_id?: string;
  error_code?: string;
  responseTime?: number;
}

/**
 * Issue 13, start-up and logs: one log line per request with its id, method, route, status,
 * duration, actor, tenant, platform and error code (no header dump; probes not logged);
 * X-Request-Id honoured when sane and always echoed; Prometheus metrics for HTTP and gRPC
 * and the module's own state.
 */
describe('request logs, X-Request-Id and metrics', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'sp-observability-'));
  const logFile = path.join(directory, 'app.log');
  const apps = new Map<string, { app: INestApplication; address: string }>();

  beforeAll(async () => {
    // Both apps log to the same file: the process's pino root logger is the first app's.
    for (const platform of PLATFORMS) {
      apps.set(
        platform,
        await startHybridTestApp(platform, { LOG_LEVEL: 'info', LOG_FILE: logFile }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const { app } of apps.values()) await app.close();
    rmSync(directory, { recursive: true, force: true });
  });

  function lines(): LogLine[] {
    return readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine)
      .filter((line) =>
        ['request completed', 'request errored', 'request aborted'].includes(line.msg ?? ''),
      );
  }

  function linesOf(requestId: string): LogLine[] {
    return lines().filter((line) => line.req?.id === requestId);
  }

  describe.each(PLATFORMS)('on %s', (platform) => {
    const server = () => apps.get(platform)?.app.getHttpServer() as Server;

    it('honours a sane X-Request-Id and echoes it; replaces any other with a UUID', async () => {
      const mine = await request(server()).get(`${API}`).set('X-Request-Id', `trace-${platform}-1`);
      expect(mine.headers['x-request-id']).toBe(`trace-${platform}-1`);
      const bad = await request(server()).get(`${API}`).set('X-Request-Id', 'has spaces <script>');
      expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const none = await request(server()).get('/health/live');
      expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('logs a request the client abandoned before its answer, once, as 499', async () => {
      const { port } = server().address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      // Half a body, then the client goes away: the answer is never sent.
      socket.write(
        [
          `POST ${API} HTTP/1.1`,
          'Host: 127.0.0.1',
          `Authorization: Bearer ${tokenFor({ roles: ['platform-admin'] })}`,
          'Content-Type: application/json',
          'Content-Length: 1000',
          `X-Request-Id: abandoned-${platform}`,
          '',
          '{"tenant_id":',
        ].join('\r\n'),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));

      const logged = linesOf(`abandoned-${platform}`);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        msg: 'request aborted',
        req: { method: 'POST', url: API },
        res: { statusCode: 499 },
      });
    });

    it('logs each request once, with who, what and the outcome, and no headers', async () => {
      const tenant = newTenantId();
      const token = tokenFor({
        sub: `logger-${platform}`,
        tenantId: tenant,
        roles: ['tenant-admin'],
      });
      const created = await request(server())
        .post(API)
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-Id', `register-${platform}`)
        .send({ tenant_id: tenant, service_name: 'slack', config: validConfig('slack') })
        .expect(201);
      const id = (created.body as { platform: { id: string } }).platform.id;
      await request(server())
        .get(`${API}/${id}`)
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-Id', `read-${platform}`)
        .expect(200);
      await request(server())
        .post(API)
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-Id', `refused-${platform}`)
        .send({ tenant_id: tenant, service_name: 'slack', config: validConfig('slack') })
        .expect(409);
      await request(server()).get('/health/ready').set('X-Request-Id', `probe-${platform}`);
      await request(server()).get('/health/live?x=1').set('X-Request-Id', `probe-${platform}`);
      // Only the probes themselves go unlogged: a path that merely starts like one is a request.
      await request(server()).get('/health/livex').set('X-Request-Id', `near-${platform}`);
      await new Promise((resolve) => setTimeout(resolve, 200));

      const [register, ...more] = linesOf(`register-${platform}`);
      expect(more).toEqual([]);
      expect(register).toMatchObject({
        req: { method: 'POST', url: API },
        route: API,
        actor_id: `logger-${platform}`,
        tenant_id: tenant,
        platform_id: id,
        res: { statusCode: 201 },
        responseTime: expect.any(Number) as number,
      });
      expect(linesOf(`read-${platform}`)[0]).toMatchObject({
        route: `${API}/:platform_id`,
        platform_id: id,
        res: { statusCode: 200 },
      });
      expect(linesOf(`refused-${platform}`)[0]).toMatchObject({
        error_code: 'PLATFORM_ALREADY_EXISTS',
        res: { statusCode: 409 },
      });
      expect(linesOf(`probe-${platform}`)).toEqual([]);
      expect(linesOf(`near-${platform}`)[0]).toMatchObject({ res: { statusCode: 404 } });
      for (const line of lines()) expect(Object.keys(line.res ?? {})).toEqual(['statusCode']);
    });
  });

  it('serves Prometheus metrics: HTTP by route and status, gRPC by method and code, the module', async () => {
    const hybrid = apps.get('fastify') as { app: INestApplication; address: string };
    await request(hybrid.app.getHttpServer()).get(`${API}/not-a-uuid`).expect(401);
    const client = createPlatformClient(hybrid.address);
    try {
      await callRpc(client, 'GetPlatform', { platform_id: newTenantId() });
      await callRpc(client, 'GetPlatform', { platform_id: newTenantId() }, { token: null });
    } finally {
      client.close();
    }
    const metrics = hybrid.app.get(AppMetrics);
    const port = await freePort();
    const metricsServer = await startMetricsServer(metrics, '127.0.0.1', port);
    try {
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('content-type')).toContain('text/plain');
      const text = await scraped.text();
      expect(text).toMatch(
        /http_requests_total\{method="GET",route="\/api\/v1\/platforms\/:platform_id",status="401"\} \d+/,
      );
      expect(text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/api\/v1\/platforms"/);
      expect(text).toMatch(
        /grpc_server_handled_total\{method="\/serviceplatform\.v1\.PlatformService\/GetPlatform",code="NOT_FOUND"\} 1/,
      );
      expect(text).toMatch(
        /grpc_server_handled_total\{method="\/serviceplatform\.v1\.PlatformService\/GetPlatform",code="UNAUTHENTICATED"\} 1/,
      );
      expect(text).toMatch(/service_platform_outbox_pending_events \d+/);
      expect(text).toMatch(/service_platform_outbox_oldest_pending_age_seconds [\d.]+/);
      expect(text).toMatch(/service_platform_relay_failures_total \d+/);
      expect(text).toMatch(/service_platform_cache_hits_total \d+/);
      expect(text).toMatch(/service_platform_cache_misses_total \d+/);
      expect(text).toMatch(/service_platform_key_ring_ready\{primary_key_id="test-2"\} 1/);
      expect(text).toMatch(/service_platform_key_ring_keys 2/);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => metricsServer.close(resolve));
    }
  });
});
