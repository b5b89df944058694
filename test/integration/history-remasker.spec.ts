import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { HistoryRemasker, ServicePlatformService } from '../../src/service-platform';
import { newTenantId, validConfig } from '../support/fixtures';
import { createIntegrationModule } from '../support/integration-module';
import {
  createMigratedDatabase,
  dropDatabase,
  runBin,
  type OwnDatabase,
} from '../support/own-database';

const admin = { id: 'admin', tenantId: null, roles: ['platform-admin'] };

/**
 * Issue 11: outbox rows and audit entries written before the catalog (under the old key-name
 * masking) may hold clear values of fields the catalog treats as secrets. `HistoryRemasker`
 * (`npm run history:remask`) applies the catalog's rules to them, once.
 */
describe('history re-masking (real PostgreSQL, database of its own)', () => {
  let database: OwnDatabase;
  let moduleRef: TestingModule;
  let sql: Client;
  let platformId: string;
  const eventId = randomUUID();

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_remask');
    moduleRef = await createIntegrationModule(process.env.ENCRYPTION_KEYS, database.url);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const registered = await moduleRef.get(ServicePlatformService).registerPlatform(
      {
        tenant_id: newTenantId(),
        service_name: 'outlook',
        config: validConfig('outlook') as never,
      },
      admin,
    );
    platformId = registered.platform.id;
    // What the old rules let through: an undeclared key, a nested one, shown in clear.
    const changes = {
      'config.client_id': { before: 'old-id', after: 'new-id' },
      'config.additional_data.pass': { before: null, after: 'p4ss-canary' },
      'config.additional_data.nested.api_host': { before: null, after: 'db.internal-canary' },
      'config.additional_data.redirect_uri': { before: null, after: 'https://app.example.com/cb' },
      is_active: { before: null, after: true },
    };
    const payload = {
      event_id: eventId,
      event_type: 'platform.updated',
      service_name: 'outlook',
      config: {
        client_id: 'new-id',
        client_secret: '********',
        additional_data: { pass: 'p4ss-canary', redirect_uri: 'https://app.example.com/cb' },
      },
    };
    await sql.query(
      `INSERT INTO outbox_events (id, platform_id, tenant_id, event_type, payload, changes, occurred_at, processed_at)
       VALUES ($1, $2, $3, 'platform.updated', $4, $5, now(), now())`,
      [eventId, platformId, randomUUID(), JSON.stringify(payload), JSON.stringify(changes)],
    );
    await sql.query(
      `INSERT INTO audit_log (id, event_id, platform_id, tenant_id, action, actor_id, changes, occurred_at)
       VALUES ($1, $2, $3, $4, 'updated', 'someone', $5, now())`,
      [randomUUID(), eventId, platformId, randomUUID(), JSON.stringify(changes)],
    );
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await dropDatabase(database);
  });

  /** The old entry under the catalog's rules. */
  const expected = {
    'config.client_id': { before: 'old-id', after: 'new-id' },
    'config.additional_data.pass': { changed: true },
    'config.additional_data.nested.api_host': { changed: true },
    'config.additional_data.redirect_uri': { before: null, after: 'https://app.example.com/cb' },
    is_active: { before: null, after: true },
  };

  it('reading the trail applies the catalog already, before any rewrite', async () => {
    const { entries } = await moduleRef
      .get(ServicePlatformService)
      .listAuditEntries({ platform_id: platformId }, admin);
    expect(entries.find((entry) => entry.event_id === eventId)?.changes).toEqual(expected);
    expect(JSON.stringify(entries)).not.toContain('canary');
    // Stored as it was: rewriting is the remasker's job.
    const { rows } = await sql.query<{ changes: Record<string, unknown> }>(
      'SELECT changes FROM audit_log WHERE event_id = $1',
      [eventId],
    );
    expect(rows[0]?.changes['config.additional_data.pass']).toEqual({
      before: null,
      after: 'p4ss-canary',
    });
  });

  it('masks what the catalog does not declare public, keeps the rest, and is idempotent', async () => {
    const remasker = moduleRef.get(HistoryRemasker);
    const first = await remasker.remask();
    expect(first).toMatchObject({ outboxRowsRemasked: 1, auditEntriesRemasked: 1 });

    const { rows: audit } = await sql.query<{ changes: Record<string, unknown> }>(
      'SELECT changes FROM audit_log WHERE event_id = $1',
      [eventId],
    );
    expect(audit[0]?.changes).toEqual(expected);
    const { rows: outbox } = await sql.query<{ payload: { config: unknown }; changes: unknown }>(
      'SELECT payload, changes FROM outbox_events WHERE id = $1',
      [eventId],
    );
    expect(outbox[0]?.changes).toEqual(expected);
    expect(outbox[0]?.payload.config).toEqual({
      client_id: 'new-id',
      client_secret: '********',
      additional_data: { pass: '********', redirect_uri: 'https://app.example.com/cb' },
    });
    // The registration's own rows were written under the catalog: nothing to do there.
    expect(first.outboxRowsChecked).toBe(2);

    expect(await remasker.remask()).toMatchObject({
      outboxRowsRemasked: 0,
      auditEntriesRemasked: 0,
    });
  });

  it('npx service-platform history:remask runs it from the command line', () => {
    const run = runBin(['history:remask'], { DATABASE_URL: database.url });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Re-masked 0 of 2 outbox rows and 0 of \d+ audit entries\n$/);
  });
});
