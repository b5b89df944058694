import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { Client } from 'pg';
import { tokenFor } from '../support/auth';
import { BUILT_IN_SERVICE_NAMES, validConfig } from '../support/fixtures';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';
import { startTestApp } from '../support/test-app';
import {
  ERROR_STATUS,
  HTTP_STATUS_CODES,
} from '../../src/service-platform/interface/errors/error-status.table';
import {
  configLike,
  contentTypes,
  hostileJson,
  hostileNumber,
  hostileString,
  jsonTexts,
  sometimes,
  uuid,
} from './fuzz-inputs';

/**
 * Issue 10, item 11: a seeded fast-check suite over every REST route. Every answer is a 2xx
 * (the input happened to be valid) or a 4xx with the contract's error body and a known code;
 * never a 5xx; and a rejected request changes nothing in the database. The seed and the number
 * of cases are printed; `FUZZ_SEED=<seed>` replays a run, `FUZZ_REST_RUNS` sets its size.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_REST_RUNS ?? 8_000);

const KNOWN_CODES = new Set([
  ...Object.keys(ERROR_STATUS),
  ...Object.values(HTTP_STATUS_CODES).filter((code): code is string => code !== undefined),
]);

interface RequestCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** Whether a 2xx would have written something. */
  write: boolean;
}

/** The routes the suite covers; checked against the app's OpenAPI document. */
const COVERED_ROUTES = [
  'get /api/v1/platforms',
  'post /api/v1/platforms',
  'get /api/v1/platforms/{platform_id}',
  'put /api/v1/platforms/{platform_id}',
  'post /api/v1/platforms/{platform_id}/deactivate',
  'post /api/v1/platforms/{platform_id}/activate',
  'get /api/v1/platforms/{platform_id}/audit',
  'get /api/v1/health/details',
  'get /api/v1/services',
  'get /api/v1/services/{name}',
];

describe('REST API fuzzing (seeded fast-check)', () => {
  let database: OwnDatabase;
  let app: INestApplication;
  let sql: Client;
  const tenants = [randomUUID(), randomUUID()];
  const platformIds: string[] = [];

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_fuzz_rest');
    app = await startTestApp('fastify', { DATABASE_URL: database.url });
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    // A few platforms for the id-based routes to find.
    for (const tenantId of tenants) {
      for (const service of ['outlook', 'gmail']) {
        const res = await inject({
          method: 'POST',
          url: '/api/v1/platforms',
          headers: { ...adminHeaders(), 'content-type': 'application/json' },
          payload: JSON.stringify({
            tenant_id: tenantId,
            service_name: service,
            config: validConfig(service),
          }),
          write: true,
        });
        platformIds.push((JSON.parse(res.body) as { platform: { id: string } }).platform.id);
      }
    }
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await dropDatabase(database);
  });

  function adminHeaders(): Record<string, string> {
    return { authorization: `Bearer ${tokenFor({ roles: ['platform-admin'] })}` };
  }

  async function inject(request: RequestCase): Promise<{ statusCode: number; body: string }> {
    const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
    const res = await fastify.inject({
      method: request.method,
      url: request.url,
      headers: request.headers,
      ...(request.payload !== undefined && { payload: request.payload }),
    });
    return { statusCode: res.statusCode, body: res.body };
  }

  /** Everything a write could change, in one row. */
  async function fingerprint(): Promise<string> {
    const { rows } = await sql.query(`
      SELECT (SELECT count(*) FROM service_platforms) AS platforms,
             (SELECT coalesce(sum(version), 0) FROM service_platforms) AS versions,
             (SELECT count(*) FROM service_platforms WHERE is_active) AS active,
             (SELECT count(*) FROM outbox_events) AS events,
             (SELECT count(*) FROM tenant_data_keys) AS data_keys,
             (SELECT count(*) FROM master_keys) AS master_keys,
             (SELECT count(*) FROM idempotency_keys) AS idempotency_keys`);
    return JSON.stringify(rows[0]);
  }

  const platformId = () =>
    fc.oneof(
      // Read when generating: the platforms are registered in beforeAll.
      { weight: 4, arbitrary: fc.nat().map((i) => platformIds[i % platformIds.length] as string) },
      { weight: 2, arbitrary: uuid },
      {
        weight: 2,
        arbitrary: hostileString.map((value) => percentEncoded(value).slice(0, 3000)),
      },
      { weight: 1, arbitrary: fc.constantFrom('%00', '%ED%A0%80', '%E0%A4%A', '..%2F..', '%') },
    );

  const headers = fc
    .record({
      auth: fc.oneof(
        { weight: 8, arbitrary: fc.constant(adminHeaders()) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(
              fc.constantFrom(...tenants),
              fc.constantFrom('tenant-admin', 'tenant-viewer', 'integration'),
            )
            .map(([tenantId, role]) => ({
              authorization: `Bearer ${tokenFor({ tenantId, roles: [role] })}`,
            })),
        },
        {
          weight: 1,
          arbitrary: fc.oneof(
            fc.constant({}),
            hostileString.map((value) => ({ authorization: `Bearer ${safeHeader(value)}` })),
          ),
        },
      ),
      contentType: contentTypes,
      idempotencyKey: sometimes(hostileString.map(safeHeader), 4),
      ifMatch: sometimes(
        fc.oneof(
          hostileString.map(safeHeader),
          hostileNumber.map((n) => `"${n}"`),
        ),
        4,
      ),
    })
    .map(({ auth, contentType, idempotencyKey, ifMatch }) => ({
      ...auth,
      ...(contentType !== '' && { 'content-type': contentType }),
      ...(idempotencyKey !== null &&
        idempotencyKey !== '' && { 'idempotency-key': idempotencyKey }),
      ...(ifMatch !== null && ifMatch !== '' && { 'if-match': ifMatch }),
    }));

  /** A registration of a built-in service: its valid config, or that config with one field hostile. */
  const catalogRegistration = fc
    .tuple(
      fc.constantFrom(...BUILT_IN_SERVICE_NAMES),
      fc.oneof(fc.constantFrom(...tenants), uuid),
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        {
          weight: 2,
          arbitrary: fc.tuple(
            fc.constantFrom('client_id', 'client_secret', 'tenant_id', 'additional_data'),
            hostileJson,
          ),
        },
        { weight: 1, arbitrary: fc.tuple(hostileString, hostileJson) },
      ),
    )
    .map(([service, tenantId, change]) => {
      const config = validConfig(service);
      if (change !== null) {
        const [field, value] = change;
        if (['client_id', 'client_secret', 'tenant_id', 'additional_data'].includes(field)) {
          config[field] = value;
        } else {
          config.additional_data = { ...(config.additional_data as object), [field]: value };
        }
      }
      return { tenant_id: tenantId, service_name: service, config };
    });
  const registerBody = fc.oneof(
    { weight: 3, arbitrary: catalogRegistration },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.record(
            {
              tenant_id: fc.oneof(
                { weight: 4, arbitrary: fc.oneof(fc.constantFrom(...tenants), uuid) },
                { weight: 1, arbitrary: hostileJson },
              ),
              service_name: fc.oneof(
                { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/) },
                { weight: 1, arbitrary: hostileJson },
              ),
              config: configLike,
            },
            { requiredKeys: ['tenant_id', 'service_name', 'config'] },
          ),
          sometimes(hostileJson, 6),
        )
        .map(([body, unknown]) => (unknown === null ? body : { ...body, unknown })),
    },
  );
  const updateBody = fc.record(
    { config: configLike, version: fc.oneof(hostileNumber, hostileJson) },
    { requiredKeys: [] },
  );

  const auditCursor = fc
    .tuple(
      fc.oneof(
        hostileString,
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      ),
      fc.oneof(uuid, hostileString),
    )
    .map(([at, id]) => Buffer.from(`a1:${at}|${id}`, 'utf8').toString('base64url'));
  const query = (fields: Record<string, fc.Arbitrary<string>>) =>
    fc.record(fields, { requiredKeys: [] }).map((values) => {
      const search = new URLSearchParams(values as Record<string, string>).toString();
      return search === '' ? '' : `?${search}`;
    });
  const queryValue = fc.oneof(
    hostileString,
    hostileNumber.map(String),
    fc.constantFrom('true', 'false', '1', '0', '-1', '201', '1e3'),
  );

  const requests: fc.Arbitrary<RequestCase> = fc.oneof(
    fc.tuple(headers, jsonTexts(registerBody)).map(([h, payload]) => ({
      method: 'POST' as const,
      url: '/api/v1/platforms',
      headers: h,
      payload,
      write: true,
    })),
    fc.tuple(headers, platformId(), jsonTexts(updateBody)).map(([h, id, payload]) => ({
      method: 'PUT' as const,
      url: `/api/v1/platforms/${id}`,
      headers: h,
      payload,
      write: true,
    })),
    fc
      .tuple(
        headers,
        platformId(),
        fc.constantFrom('deactivate', 'activate'),
        sometimes(jsonTexts(hostileJson), 3),
      )
      .map(([h, id, action, payload]) => ({
        method: 'POST' as const,
        url: `/api/v1/platforms/${id}/${action}`,
        headers: h,
        ...(payload !== null && { payload }),
        write: true,
      })),
    fc.tuple(headers, platformId()).map(([h, id]) => ({
      method: 'GET' as const,
      url: `/api/v1/platforms/${id}`,
      headers: h,
      write: false,
    })),
    fc
      .tuple(
        headers,
        query({
          tenant_id: fc.oneof(fc.constantFrom(...tenants), uuid, queryValue),
          is_active: queryValue,
          service_name: queryValue,
          limit: queryValue,
          cursor: fc.oneof(
            queryValue,
            uuid.map((id) => Buffer.from(`v1:${id}`).toString('base64url')),
          ),
          extra: queryValue,
        }),
      )
      .map(([h, search]) => ({
        method: 'GET' as const,
        url: `/api/v1/platforms${search}`,
        headers: h,
        write: false,
      })),
    fc
      .tuple(
        headers,
        platformId(),
        query({ limit: queryValue, cursor: fc.oneof(auditCursor, queryValue) }),
      )
      .map(([h, id, search]) => ({
        method: 'GET' as const,
        url: `/api/v1/platforms/${id}/audit${search}`,
        headers: h,
        write: false,
      })),
    fc
      .tuple(
        headers,
        fc.oneof(
          fc.constantFrom('/api/v1/services', '/api/v1/services/outlook'),
          hostileString.map((name) => `/api/v1/services/${percentEncoded(name).slice(0, 300)}`),
        ),
      )
      .map(([h, url]) => ({ method: 'GET' as const, url, headers: h, write: false })),
    fc
      .tuple(headers, fc.constantFrom('/health/live', '/health/ready', '/api/v1/health/details'))
      .map(([h, url]) => ({ method: 'GET' as const, url, headers: h, write: false })),
    fc
      .tuple(
        headers,
        fc.constantFrom('DELETE', 'PATCH', 'PUT', 'POST') as fc.Arbitrary<RequestCase['method']>,
        fc.constantFrom('/api/v1/platforms', '/health/live', '/api/v1', '/', '/api/docs-json'),
      )
      .map(([h, method, url]) => ({ method, url, headers: h, write: method !== 'DELETE' })),
  );

  it('covers every REST route of the app (its OpenAPI document lists them, and the probes)', async () => {
    const res = await inject({ method: 'GET', url: '/api/docs-json', headers: {}, write: false });
    const paths = (JSON.parse(res.body) as { paths: Record<string, object> }).paths;
    const routes = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(routes.sort()).toEqual([...COVERED_ROUTES].sort());
    // The probes are documented in docs/operations.md, not in the API document; fuzzed too.
    expect(routes).not.toContain('get /health/live');
  });

  it(`answers ${RUNS} fuzzed requests with 2xx or a 4xx contract body, never 5xx; rejections write nothing`, async () => {
    process.stdout.write(`\n  REST fuzz: seed=${SEED} cases=${RUNS}\n`);
    let cases = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        cases += 1;
        const before = request.write ? await fingerprint() : '';
        const res = await inject(request);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500 || res.statusCode < 200) {
          throw new Error(`${res.statusCode} for ${JSON.stringify(request)}: ${res.body}`);
        }
        if (res.statusCode >= 400) {
          const body = JSON.parse(res.body) as Record<string, unknown>;
          expect(Object.keys(body).sort()).toEqual([
            'code',
            'details',
            'error',
            'message',
            'statusCode',
          ]);
          expect(body.statusCode).toBe(res.statusCode);
          expect(KNOWN_CODES.has(body.code as string)).toBe(true);
          expect(res.body).not.toMatch(/"stack"|\n\s+at |node_modules/);
          if (request.write) expect(await fingerprint()).toBe(before);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    const counts = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}:${n}`);
    process.stdout.write(`  REST fuzz: ${cases} cases passed (seed=${SEED}) ${counts.join(' ')}\n`);
    expect(cases).toBeGreaterThanOrEqual(RUNS);
  }, 600_000);
});

/** Header values HTTP can carry (Node refuses control characters and code points over 255). */
function safeHeader(value: string): string {
  return value
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, 4000);
}

/** Every byte of the UTF-8 text but unreserved ones as %XX (lone surrogates become U+FFFD). */
function percentEncoded(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}
