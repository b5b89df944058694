import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import {
  PlatformErrorCode,
  ServicePlatformModule,
  ServicePlatformService,
  type Actor,
} from '../../src/service-platform';
import { newTenantId, validConfig } from '../support/fixtures';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';

/**
 * A request waits at most `idempotency.waitMs` for another transaction holding its key. Found in
 * review: while another transaction was replacing the expired key, the request's own delete of
 * the expired key waited without that bound, for the other transaction's whole length, and then
 * ran the write.
 */
describe('idempotency keys: the wait is bounded (real PostgreSQL)', () => {
  let database: OwnDatabase;
  let moduleRef: TestingModule;
  let sql: Client;

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_idem_wait');
    moduleRef = await Test.createTestingModule({
      imports: [
        ServicePlatformModule.forRoot({
          database: { url: database.url, poolSize: 2 },
          encryption: { keys: process.env.ENCRYPTION_KEYS as string },
          idempotency: { waitMs: 300 },
          http: { enabled: false },
          grpc: { enabled: false },
        }),
      ],
    }).compile();
    await moduleRef.init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await sql.query('SET search_path TO service_platform');
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await dropDatabase(database);
  });

  it('a key being replaced by another transaction answers 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    const tenantId = newTenantId();
    const actor: Actor = { id: 'host', tenantId, roles: ['tenant-admin'] };
    await sql.query(
      `INSERT INTO idempotency_keys (tenant_scope, actor_id, key, operation, fingerprint,
         fingerprint_key, response, expires_at)
       VALUES ($1, 'host', 'k-1', 'register', '\\x00', 'test', '{}', now() - interval '1 hour')`,
      [tenantId],
    );
    // Another transaction replacing the expired key: it holds the row until it ends.
    await sql.query('BEGIN');
    await sql.query(`DELETE FROM idempotency_keys WHERE tenant_scope = $1 AND key = 'k-1'`, [
      tenantId,
    ]);
    const ended = new Promise((resolve) => setTimeout(resolve, 3_000)).then(() =>
      sql.query('ROLLBACK'),
    );
    const outcome = await moduleRef
      .get(ServicePlatformService)
      .registerPlatform(
        { tenant_id: tenantId, service_name: 'slack', config: validConfig('slack') as never },
        actor,
        { idempotencyKey: 'k-1' },
      )
      .then(
        () => 'registered',
        (error: unknown) => (error as { code?: unknown }).code,
      );
    await ended;
    expect(outcome).toBe(PlatformErrorCode.IdempotencyInProgress);
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM service_platforms');
    expect(rows).toEqual([{ n: 0 }]);
  });
});
