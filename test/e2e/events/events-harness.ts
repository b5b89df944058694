// Shared set-up of the change-event suites (not a test file): a database of their own (the
// relays of other suites' apps would otherwise dispatch their events), a throw-away Redis, a
// plain subscriber as witness, and SQL access to the outbox and the audit trail.
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import type { HttpPlatform } from '../../../src/bootstrap';
import { EventSubscriber } from '../../support/event-subscriber';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../../support/own-database';
import { ThrowAwayRedis } from '../../support/redis-server';
import { startListeningApp } from '../e2e-helpers';

export interface EventsEnvironment {
  readonly database: OwnDatabase;
  readonly redis: ThrowAwayRedis;
  readonly subscriber: EventSubscriber;
  readonly sql: Client;
  /** Starts a demo app on this database and Redis (closed by `close()`). */
  startApp(platform?: HttpPlatform, env?: Record<string, string>): Promise<INestApplication>;
  close(): Promise<void>;
}

export async function startEventsEnvironment(prefix: string): Promise<EventsEnvironment> {
  const database = await createMigratedDatabase(prefix);
  const redis = await ThrowAwayRedis.start();
  const subscriber = await EventSubscriber.start(redis.url);
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  const apps: INestApplication[] = [];
  return {
    database,
    redis,
    subscriber,
    sql,
    async startApp(platform = 'fastify', env = {}) {
      const app = await startListeningApp(platform, {
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        ...env,
      });
      apps.push(app);
      return app;
    },
    async close() {
      for (const app of apps.splice(0)) await app.close();
      subscriber.close();
      await sql.end();
      await redis.stop();
      await dropDatabase(database);
    },
  };
}

/** Waits until every outbox event has been dispatched to every target. */
export async function waitForDrainedOutbox(sql: Client, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql.query<{ pending: string }>(
      'SELECT count(*) AS pending FROM outbox_events WHERE processed_at IS NULL',
    );
    if (rows[0]?.pending === '0') return;
    if (Date.now() > deadline) throw new Error(`${rows[0]?.pending} outbox events still pending`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface AuditRow {
  id: string;
  event_id: string;
  platform_id: string;
  tenant_id: string;
  action: string;
  actor_id: string;
  changes: Record<string, unknown>;
  occurred_at: Date;
}

export async function auditRowsOf(sql: Client, platformId: string): Promise<AuditRow[]> {
  const { rows } = await sql.query<AuditRow>(
    'SELECT * FROM audit_log WHERE platform_id = $1 ORDER BY occurred_at, id',
    [platformId],
  );
  return rows;
}

/** The published payload's fields (contract "Events"), exactly. */
export const PAYLOAD_KEYS = [
  'actor_id',
  'config',
  'event_id',
  'event_type',
  'platform_id',
  'service_name',
  'tenant_id',
  'timestamp',
  'version',
];
