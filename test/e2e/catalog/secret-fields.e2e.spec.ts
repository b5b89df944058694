import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BUILT_IN_SERVICES } from '../../../src/service-platform/domain/catalog/built-in';
import { describeService } from '../../../src/service-platform/domain/catalog/service-definition';
import { EventSubscriber } from '../../support/event-subscriber';
import { newTenantId, validConfig } from '../../support/fixtures';
import {
  callRpc,
  createPlatformClient,
  toStruct,
  type PlatformServiceClient,
} from '../../support/grpc-client';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../../support/own-database';
import { ThrowAwayRedis } from '../../support/redis-server';
import { startHybridTestApp, type HybridTestApp } from '../../support/test-app';
import { Client } from 'pg';
import { API, MASK, http } from '../e2e-helpers';
import { describeWithRedis } from '../../support/suite-requirements';

/** The keys the adversarial review found in plaintext (undeclared by every service). */
const REVIEW_KEYS = ['pass', 'smtp_pass', 'passcode', 'client_assertion', 'webhook_url'];

/** Prefixes some secret fields' formats require. */
const PREFIX: Record<string, string> = {
  'slack:additional_data.bot_token': 'xoxb-',
  'slack:additional_data.user_token': 'xoxp-',
  'slack:additional_data.app_token': 'xapp-',
  'slack:additional_data.incoming_webhook_url': 'https://hooks.slack.com/services/',
};

/** What a twilio API key secret needs beside it. */
const COMPANIONS: Record<string, Record<string, unknown>> = {
  twilio: { api_key_sid: `SK${'0123456789abcdef'.repeat(2)}` },
};

/**
 * Issue 11: for every built-in service, a canary in each secret field (declared secrets, a
 * provider tenant the service does not declare, and the review's five undeclared keys) never
 * appears in clear: not in REST or gRPC answers, the Redis events, the audit trail, the outbox,
 * the read cache (memory and Redis), the log (at trace level), or anywhere in the database.
 */
describeWithRedis('secret fields of every built-in service are never shown', () => {
  let database: OwnDatabase;
  let redis: ThrowAwayRedis;
  let subscriber: EventSubscriber;
  let hybrid: HybridTestApp;
  let client: PlatformServiceClient;
  let sql: Client;
  const logFile = join(tmpdir(), `sp-secret-fields-${randomUUID()}.log`);

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_secret_fields');
    redis = await ThrowAwayRedis.start();
    subscriber = await EventSubscriber.start(redis.url);
    // The first app of this file: its logger is the file's (pino's root is per process).
    hybrid = await startHybridTestApp('fastify', {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'trace',
      LOG_FILE: logFile,
    });
    client = createPlatformClient(hybrid.address);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await hybrid?.app.close();
    subscriber?.close();
    await sql?.end();
    await redis?.stop();
    await dropDatabase(database);
    rmSync(logFile, { force: true });
  });

  it.each(BUILT_IN_SERVICES.map((definition) => [definition.name, definition] as const))(
    '%s: not in answers, events, the audit trail, the outbox, the cache, the log or the database',
    async (service, definition) => {
      const description = describeService(definition);
      const canaries = new Map<string, string>();
      const canary = (path: string): string => {
        const value = `${PREFIX[`${service}:${path}`] ?? ''}canary-${path.replace(/\W/g, '-')}-${randomUUID()}`;
        canaries.set(path, value);
        return value;
      };
      const config = validConfig(service);
      const extra = { ...(config.additional_data as Record<string, unknown> | undefined) };
      for (const path of description.secretFields) {
        const [top, inner] = path.split('.') as [string, string | undefined];
        if (inner === undefined) config[top] = canary(path);
        else extra[inner] = canary(path);
      }
      if (
        !description.publicFields.includes('tenant_id') &&
        !description.secretFields.includes('tenant_id')
      ) {
        config.tenant_id = canary('tenant_id');
      }
      for (const key of REVIEW_KEYS) extra[key] = canary(`additional_data.${key}`);
      Object.assign(extra, COMPANIONS[service]);
      config.additional_data = extra;

      // REST: register, read (then again, from the cache), list.
      const tenantId = newTenantId();
      const texts: string[] = [];
      const registered = await http(hybrid.app)
        .post(API)
        .send({ tenant_id: tenantId, service_name: service, config });
      expect(registered.status).toBe(201);
      const platform = (
        registered.body as { platform: { id: string; config: Record<string, unknown> } }
      ).platform;
      for (const path of canaries.keys()) expect(valueAt(platform.config, path)).toBe(MASK);
      for (const path of description.publicFields) {
        expect(valueAt(platform.config, path)).toEqual(valueAt(config, path));
      }
      texts.push(registered.text);
      for (let i = 0; i < 2; i++)
        texts.push((await http(hybrid.app).get(`${API}/${platform.id}`)).text);
      texts.push((await http(hybrid.app).get(API).query({ tenant_id: tenantId })).text);

      // gRPC: read, list, and an update of a secret field and an undeclared key.
      texts.push(
        JSON.stringify(await callRpc(client, 'GetPlatform', { platform_id: platform.id })),
      );
      texts.push(JSON.stringify(await callRpc(client, 'ListPlatforms', { tenant_id: tenantId })));
      const updated = await callRpc(client, 'UpdatePlatform', {
        platform_id: platform.id,
        config: {
          client_secret: canary('client_secret (new)'),
          additional_data: toStruct({ pass: canary('additional_data.pass (new)') }),
        },
      });
      expect(updated.status).toBe('OK');
      texts.push(JSON.stringify(updated));

      // Events (two: registered, updated) and their audit entries.
      await subscriber.waitFor(() => subscriber.of(platform.id).length === 2, 20_000);
      texts.push(JSON.stringify(subscriber.of(platform.id)));
      const audit = await waitForRows(
        sql,
        'SELECT changes::text AS text FROM audit_log WHERE platform_id = $1',
        [platform.id],
        2,
      );
      expect(audit.join('\n')).toContain('"changed": true');
      texts.push(...audit);

      // Everything in the database, every table, as text (ciphertexts are bytes).
      const { rows: tables } = await sql.query<{ name: string }>(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
      );
      for (const { name } of tables) {
        const { rows } = await sql.query<{ text: string }>(
          `SELECT row_to_json(t)::text AS text FROM "${name}" t`,
        );
        texts.push(...rows.map((row) => row.text));
      }

      // The read cache's Redis tier.
      const redisClient = new Redis(redis.url);
      try {
        for (const key of await redisClient.keys('*')) {
          const type = await redisClient.type(key);
          if (type === 'hash') texts.push(JSON.stringify(await redisClient.hgetall(key)));
          else if (type === 'string') texts.push((await redisClient.get(key)) ?? '');
        }
      } finally {
        redisClient.disconnect();
      }

      // The log, at trace level.
      const log = readFileSync(logFile, 'utf8');
      expect(log.length).toBeGreaterThan(0);
      texts.push(log);

      const everything = texts.join('\n');
      for (const [path, value] of canaries) {
        expect({ path, found: everything.includes(value) }).toEqual({ path, found: false });
      }
    },
    60_000,
  );
});

function valueAt(config: Record<string, unknown>, path: string): unknown {
  const [top, inner] = path.split('.') as [string, string | undefined];
  const value = config[top];
  return inner === undefined ? value : (value as Record<string, unknown> | undefined)?.[inner];
}

async function waitForRows(
  sql: Client,
  query: string,
  values: unknown[],
  count: number,
): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await sql.query<{ text: string }>(query, values);
    if (rows.length >= count) return rows.map((row) => row.text);
    if (Date.now() > deadline) throw new Error(`only ${rows.length} of ${count} rows`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
