import { randomUUID } from 'node:crypto';
import { ServicePlatformReadiness } from '../../src/service-platform';
import type { INestApplication } from '@nestjs/common';
import { PLATFORMS } from '../support/test-app';
import { PLATFORM_KEYS, http, startListeningApp } from './e2e-helpers';

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  pattern?: string;
  writeOnly?: boolean;
  required?: string[];
  items?: Schema;
  properties?: Record<string, Schema>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const ERROR_REF = '#/components/schemas/ErrorResponseDto';

describe.each(PLATFORMS)('docs and health (%s)', (platform) => {
  let app: INestApplication;
  let doc: Document;

  beforeAll(async () => {
    app = await startListeningApp(platform);
    const res = await http(app).get('/api/docs-json');
    expect(res.status).toBe(200);
    doc = res.body as Document;
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The schema an operation's answer or body points to. */
  const schemaOf = (ref: string | undefined): Schema => {
    expect(ref).toMatch(/^#\/components\/schemas\//);
    const schema = doc.components.schemas[(ref as string).split('/').pop() as string];
    expect(schema).toBeDefined();
    return schema as Schema;
  };
  /** The names of a schema's properties, sorted. */
  const propertiesOf = (schema: Schema | undefined): string[] =>
    Object.keys(schema?.properties ?? {}).sort();

  it('GET /api/docs: 200 Swagger UI (HTML), its assets served', async () => {
    const res = await http(app).get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('swagger-ui');
    const assets = [...res.text.matchAll(/(?:src|href)="\.\/docs\/([^"]+)"/g)].map((m) => m[1]);
    expect(assets).toEqual(expect.arrayContaining(['swagger-ui-bundle.js', 'swagger-ui-init.js']));
    for (const asset of assets) {
      const file = await http(app).get(`/api/docs/${asset}`);
      expect({ asset, status: file.status }).toEqual({ asset, status: 200 });
    }
  });

  it('GET /api/docs-json: OpenAPI 3 with every platform path and method', async () => {
    const res = await http(app).get('/api/docs-json');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(doc.openapi).toMatch(/^3\./);
    const methods = Object.fromEntries(
      Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/api/v1/platforms'))
        .map(([path, operations]) => [path, Object.keys(operations).sort()]),
    );
    expect(methods).toEqual({
      '/api/v1/platforms': ['get', 'post'],
      '/api/v1/platforms/{platform_id}': ['get', 'put'],
      '/api/v1/platforms/{platform_id}/deactivate': ['post'],
      '/api/v1/platforms/{platform_id}/activate': ['post'],
      '/api/v1/platforms/{platform_id}/audit': ['get'],
    });
    // The probes are infrastructure, documented in docs/operations.md rather than here.
    expect(Object.keys(doc.paths)).not.toContain('/health/live');
  });

  it.each([
    ['/api/v1/platforms', 'post', ['201', '400', '409', '413']],
    ['/api/v1/platforms', 'get', ['200', '400']],
    ['/api/v1/platforms/{platform_id}', 'get', ['200', '400', '404']],
    ['/api/v1/platforms/{platform_id}', 'put', ['200', '400', '404', '412', '413']],
    ['/api/v1/platforms/{platform_id}/deactivate', 'post', ['200', '400', '404']],
    ['/api/v1/platforms/{platform_id}/activate', 'post', ['200', '400', '404']],
    ['/api/v1/platforms/{platform_id}/audit', 'get', ['200', '400', '403', '404']],
  ])('%s %s documents %j (errors with the error body) and 503', (path, method, codes) => {
    const operation = doc.paths[path]?.[method] as Operation;
    expect(operation).toBeDefined();
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining([...codes, '503']));
    for (const code of [...codes, '503'].filter((c) => Number(c) >= 400)) {
      expect(operation.responses[code]?.content?.['application/json']?.schema.$ref).toBe(ERROR_REF);
    }
    if (path.includes('{platform_id}')) {
      expect(operation.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'platform_id', in: 'path', required: true }),
        ]),
      );
    }
  });

  it('the error body schema is {statusCode, error, code, message, details[{field, message}]}', () => {
    const error = doc.components.schemas.ErrorResponseDto;
    expect(propertiesOf(error)).toEqual(['code', 'details', 'error', 'message', 'statusCode']);
    const violation = schemaOf(error?.properties?.details?.items?.$ref);
    expect(propertiesOf(violation)).toEqual(['field', 'message']);
  });

  it('POST documents RegisterPlatformRequest and answers {platform, success, message}', () => {
    const operation = doc.paths['/api/v1/platforms']?.post as Operation;
    expect(operation.requestBody?.required).toBe(true);
    const body = schemaOf(operation.requestBody?.content['application/json']?.schema.$ref);
    expect(body.required).toEqual(expect.arrayContaining(['tenant_id', 'service_name', 'config']));
    expect(body.properties?.tenant_id?.format).toBe('uuid');
    expect(body.properties?.service_name?.pattern).toBe('^[a-z][a-z0-9_-]{0,63}$');
    const config = schemaOf(body.properties?.config?.$ref);
    expect(propertiesOf(config)).toEqual([
      'additional_data',
      'client_id',
      'client_secret',
      'tenant_id',
    ]);
    expect(config.required).toEqual(expect.arrayContaining(['client_id', 'client_secret']));
    expect(config.properties?.client_secret?.writeOnly).toBe(true);

    const created = schemaOf(
      operation.responses['201']?.content?.['application/json']?.schema.$ref,
    );
    expect(propertiesOf(created)).toEqual(['message', 'platform', 'success']);
    const platformSchema = schemaOf(created.properties?.platform?.$ref);
    expect(propertiesOf(platformSchema)).toEqual(PLATFORM_KEYS);
  });

  it('PUT documents UpdatePlatformRequest (partial config, version) and the If-Match header', () => {
    const operation = doc.paths['/api/v1/platforms/{platform_id}']?.put as Operation;
    const body = schemaOf(operation.requestBody?.content['application/json']?.schema.$ref);
    expect(propertiesOf(body)).toEqual(['config', 'version']);
    const patch = schemaOf(body.properties?.config?.$ref);
    expect(patch.required ?? []).toEqual([]);
    expect(operation.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'If-Match', in: 'header' })]),
    );
    const ok = schemaOf(operation.responses['200']?.content?.['application/json']?.schema.$ref);
    expect(propertiesOf(ok)).toEqual(PLATFORM_KEYS);
  });

  it('GET /platforms documents its query parameters and {platforms, next_cursor}', () => {
    const operation = doc.paths['/api/v1/platforms']?.get as Operation;
    const query = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query.sort()).toEqual(['cursor', 'is_active', 'limit', 'service_name', 'tenant_id']);
    const limit = operation.parameters?.find((p) => p.name === 'limit')?.schema;
    expect(limit).toEqual(expect.objectContaining({ minimum: 1, maximum: 200, default: 50 }));
    const ok = schemaOf(operation.responses['200']?.content?.['application/json']?.schema.$ref);
    expect(propertiesOf(ok)).toEqual(['next_cursor', 'platforms']);
  });

  it('GET /health/live: 200, never cached', async () => {
    const res = await http(app).get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    expect(res.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
  });

  it('GET /health/ready: 200 with database and encryption up; events and cache reported', async () => {
    const res = await http(app).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    const { events, cache, ...required } = res.body.details as Record<
      string,
      Record<string, unknown>
    >;
    // In memory, its change feed listening; no Redis tier without REDIS_URL.
    expect(cache).toEqual({
      status: 'up',
      enabled: true,
      memory: 'in use',
      redis: 'not configured',
      pending_invalidations: 0,
    });
    expect(required).toEqual({
      database: { status: 'up' },
      encryption: { status: 'up' },
      lifecycle: { status: 'up' },
    });
    // No REDIS_URL in the tests' environment: events stay in-process.
    expect(Object.keys(events ?? {}).sort()).toEqual([
      'broker',
      'outbox_oldest_pending_age_ms',
      'outbox_pending',
      'status',
    ]);
    expect(events).toMatchObject({ status: 'up', broker: 'not configured' });
    expect(events?.outbox_pending).toEqual(expect.any(Number));
    expect(res.body.error).toEqual({});
  });

  it('GET /health/ready: 503 from the first moment of a graceful shutdown', async () => {
    const other = await startListeningApp(platform);
    try {
      other.get(ServicePlatformReadiness).beginShutdown();
      const res = await http(other).get('/health/ready');
      expect(res.status).toBe(503);
      // A new API request (on a connection kept from before) is sent elsewhere, in the contract body.
      const api = await http(other).get('/api/v1/platforms').query({ tenant_id: randomUUID() });
      expect(api.status).toBe(503);
      expect(api.headers.connection).toBe('close');
      expect(api.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', details: [] });
      expect(res.body.error).toEqual({
        lifecycle: { status: 'down', message: 'shutting down: finishing the requests in flight' },
      });
    } finally {
      await other.close();
    }
  });

  it('health is not under the API prefix', async () => {
    expect((await http(app).get('/api/v1/health/live')).status).toBe(404);
  });
});
