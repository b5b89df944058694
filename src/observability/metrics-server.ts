import { createServer, type Server } from 'node:http';
import type { AppMetrics } from './app-metrics';

/**
 * `GET /metrics` (Prometheus text format) on a port of its own, without authentication: keep it
 * on a private interface (METRICS_HOST, default 127.0.0.1) or the scraper's network only.
 */
export async function startMetricsServer(
  metrics: AppMetrics,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
