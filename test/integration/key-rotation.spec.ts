import { randomUUID } from 'node:crypto';
import { EventBus, ofType } from '@nestjs/cqrs';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import {
  KeyRotationService,
  KeysRotatedEvent,
  RotationInterruptedError,
  ServicePlatformReadiness,
  ServicePlatformService,
  type RotationOptions,
  type RotationSummary,
  type RegisterPlatformRequest,
} from '../../src/service-platform';
import { accessFor } from '../../src/service-platform/application/authz/platform-access';
import { ServicePlatformRepository } from '../../src/service-platform/application/ports/service-platform.repository.port';
import type { Actor } from '../../src/service-platform/domain/actor';
import { BUILT_IN_SERVICE_NAMES, validConfig } from '../support/fixtures';
import { createIntegrationModule } from '../support/integration-module';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';

// This suite rotates master keys of its own (k1..k4), so it works in a database of its own: data
// keys wrapped by them must not appear in the run's shared database (its key ring canary test
// expects only the test ring's keys there).

const admin: Actor = { id: 'admin', tenantId: null, roles: ['platform-admin'] };
const TENANTS = 100;
/** Every built-in service (a tenant has one platform per service). */
const SERVICES_PER_TENANT = 10;
const CONFIGS = TENANTS * SERVICES_PER_TENANT;
/** The client id each service's platforms are registered with (validConfig's). */
const CLIENT_ID_OF = new Map(
  BUILT_IN_SERVICE_NAMES.map((name) => [name, validConfig(name).client_id as string]),
);

/** `k1:…,k2:…`: master keys k1..k4 with fixed material. */
const ring = (...ids: number[]): string =>
  ids.map((id) => `k${id}:${Buffer.alloc(32, 0x40 + id).toString('base64')}`).join(',');

/** What a platform must read back as: the last acknowledged write. */
interface Expected {
  secret: string;
  version: number;
  updatedAt: string;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

describe('key rotation (real PostgreSQL, database of its own)', () => {
  let database: OwnDatabase;
  let db: Client;
  const expected = new Map<string, Expected>();
  const modules: TestingModule[] = [];
  const events: KeysRotatedEvent[] = [];

  async function moduleWith(keys: string): Promise<TestingModule> {
    const moduleRef = await createIntegrationModule(keys, database.url);
    modules.push(moduleRef);
    moduleRef
      .get(EventBus, { strict: false })
      .pipe(ofType(KeysRotatedEvent))
      .subscribe((event) => events.push(event));
    return moduleRef;
  }

  async function closeAll(): Promise<void> {
    await Promise.all(modules.splice(0).map((moduleRef) => moduleRef.close()));
  }

  async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await db.query(sql, params)).rows as T[];
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await rows<{ count: string }>(sql, params);
    return Number(row?.count);
  }

  /** version and updated_at of every row: what clients' ETags are made of. */
  async function etags(): Promise<Map<string, string>> {
    const all = await rows<{ id: string; version: number; updated_at: Date }>(
      'SELECT id, version, updated_at FROM service_platforms',
    );
    return new Map(all.map((r) => [r.id, `${r.version}@${r.updated_at.toISOString()}`]));
  }

  /** Every platform decrypts (with the module's ring) to its last acknowledged write. */
  async function expectEveryConfigAsWritten(moduleRef: TestingModule): Promise<void> {
    const page = await moduleRef
      .get(ServicePlatformRepository)
      .listByTenant({ limit: CONFIGS + 1 }, accessFor(admin, 'read'));
    expect(page.items).toHaveLength(CONFIGS);
    const mismatches = page.items.filter((platform) => {
      const want = expected.get(platform.id);
      const config = platform.config.toPlain();
      return (
        want === undefined ||
        config.client_secret !== want.secret ||
        config.client_id !== CLIENT_ID_OF.get(platform.serviceName) ||
        platform.version !== want.version ||
        platform.updatedAt.toISOString() !== want.updatedAt
      );
    });
    expect(mismatches.map((platform) => platform.id)).toEqual([]);
  }

  /**
   * Keeps updating configurations through the facade until stopped; each platform has a single
   * writer, so its last acknowledged write is well defined.
   */
  function startWriter(service: ServicePlatformService, workers = 3) {
    const ids = [...expected.keys()];
    let stopped = false;
    let writes = 0;
    let failure: unknown;
    const running = Array.from({ length: workers }, async (_, worker) => {
      const mine = ids.filter((_id, index) => index % workers === worker);
      try {
        for (let n = 0; !stopped; n++) {
          const platformId = mine[Math.floor(Math.random() * mine.length)] as string;
          const secret = `secret-${worker}-${n}-${randomUUID()}`;
          const updated = await service.updatePlatform(
            { platform_id: platformId, config: { client_secret: secret } },
            admin,
          );
          expected.set(platformId, {
            secret,
            version: updated.version,
            updatedAt: updated.updated_at,
          });
          writes++;
        }
      } catch (error) {
        failure ??= error;
        stopped = true;
      }
    });
    return {
      get writes(): number {
        if (failure !== undefined) throw failure as Error;
        return writes;
      },
      /** Stops writing; rejects if a write failed. */
      async stop(): Promise<void> {
        stopped = true;
        await Promise.all(running);
        if (failure !== undefined) throw failure as Error;
      },
    };
  }

  /** Resolves once `writer` has acknowledged `n` more writes (rejects if it failed). */
  async function writesMade(writer: { writes: number }, n: number): Promise<void> {
    const target = writer.writes + n;
    while (writer.writes < target) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Rotates while the writer runs, and checks that writes happened during the rotation. */
  async function rotateUnderTraffic(
    moduleRef: TestingModule,
    rotators: KeyRotationService[],
    options: RotationOptions,
  ): Promise<RotationSummary[]> {
    const writer = startWriter(moduleRef.get(ServicePlatformService));
    try {
      await writesMade(writer, 20);
      const before = writer.writes;
      const summaries = await Promise.all(rotators.map((rotator) => rotator.rotate(options)));
      expect(writer.writes).toBeGreaterThan(before);
      return summaries;
    } finally {
      await writer.stop(); // rethrows a failed write
    }
  }

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_rotation');
    db = new Client({ connectionString: database.url });
    await db.connect();

    // 1,000 configurations under k1, registered through the facade. A tenant's first
    // registration creates its data key; the other nine reuse it.
    const moduleRef = await moduleWith(ring(1));
    const service = moduleRef.get(ServicePlatformService);
    const register = async (tenantId: string, index: number): Promise<void> => {
      const serviceName = BUILT_IN_SERVICE_NAMES[index] as string;
      const secret = `initial-${randomUUID()}`;
      const { platform } = await service.registerPlatform(
        {
          tenant_id: tenantId,
          service_name: serviceName,
          config: validConfig(serviceName, {
            client_secret: secret,
          }) as RegisterPlatformRequest['config'],
        },
        admin,
      );
      expected.set(platform.id, {
        secret,
        version: platform.version,
        updatedAt: platform.updated_at,
      });
    };
    const tenants = Array.from({ length: TENANTS }, () => randomUUID());
    await eachLimited(tenants, 8, async (tenantId) => {
      await register(tenantId, 0);
      await Promise.all(
        Array.from({ length: SERVICES_PER_TENANT - 1 }, (_, i) => register(tenantId, i + 1)),
      );
    });
    await closeAll();
  }, 120_000);

  afterAll(async () => {
    await closeAll();
    await db?.end();
    await dropDatabase(database);
  });

  afterEach(closeAll);

  it('starts with 1,000 configurations and one data key per tenant, all under k1', async () => {
    expect(await count('SELECT count(*) FROM service_platforms')).toBe(CONFIGS);
    expect(
      await rows('SELECT master_key_id, count(*)::int AS keys FROM tenant_data_keys GROUP BY 1'),
    ).toEqual([{ master_key_id: 'k1', keys: TENANTS }]);
  });

  it('refuses an invalid batch size before writing anything', async () => {
    const rotator = (await moduleWith(ring(2, 1))).get(KeyRotationService);
    await expect(rotator.rotate({ batchSize: 0 })).rejects.toThrow(/batchSize must be/);
    await expect(rotator.rotate({ batchSize: 1001 })).rejects.toThrow(RangeError);
    expect(await count('SELECT count(*) FROM key_rotations')).toBe(0);
  });

  it('k1 -> k2,k1: re-wraps every data key while a writer updates configs; nothing is lost', async () => {
    const moduleRef = await moduleWith(ring(2, 1));
    const before = await etags();
    const progress: number[] = [];
    const [summary] = await rotateUnderTraffic(moduleRef, [moduleRef.get(KeyRotationService)], {
      batchSize: 10,
      onProgress: (p) => progress.push(p.done),
    });

    expect(summary).toMatchObject({
      masterKeyId: 'k2',
      reencrypt: false,
      resumed: false,
      completed: true,
      keysRewrapped: TENANTS,
      keysLeftOnOtherMasterKeys: 0,
      configsReencrypted: 0,
      run: { keysRewrapped: TENANTS, configsReencrypted: 0 },
    });
    expect(progress).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(await count(`SELECT count(*) FROM tenant_data_keys WHERE master_key_id <> 'k2'`)).toBe(
      0,
    );
    expect(await count('SELECT count(*) FROM tenant_data_keys WHERE version <> 2')).toBe(0);
    expect(events.map((e) => e.rotation)).toEqual([
      expect.objectContaining({
        rotationId: summary?.rotationId,
        masterKeyId: 'k2',
        reencrypt: false,
        keysRewrapped: TENANTS,
        configsReencrypted: 0,
      }),
    ]);
    await expectEveryConfigAsWritten(moduleRef);
    // Re-wrapping touches no platform row: versions and timestamps moved only where written.
    const after = await etags();
    const written = [...after].filter(([id, etag]) => before.get(id) !== etag).map(([id]) => id);
    for (const id of written) {
      const want = expected.get(id) as Expected;
      expect(after.get(id)).toBe(`${want.version}@${want.updatedAt}`);
    }
  });

  it('re-running a finished rotation does nothing', async () => {
    const moduleRef = await moduleWith(ring(2, 1));
    const eventsBefore = events.length;
    const before = await rows('SELECT * FROM key_rotations');
    const summary = await moduleRef.get(KeyRotationService).rotate();
    expect(summary).toMatchObject({
      completed: true,
      resumed: false,
      keysRewrapped: 0,
      keysLeftOnOtherMasterKeys: 0,
      run: { keysRewrapped: TENANTS },
    });
    expect(await rows('SELECT * FROM key_rotations')).toEqual(before);
    expect(events).toHaveLength(eventsBefore);
  });

  it('k2 only: every configuration is readable and equal, and the service is ready', async () => {
    const moduleRef = await moduleWith(ring(2));
    await expectEveryConfigAsWritten(moduleRef);
    expect((await moduleRef.get(ServicePlatformReadiness).check()).ready).toBe(true);
  });

  it('k3,k2 --reencrypt: an interrupted rotation resumes and completes with correct counts', async () => {
    const moduleRef = await moduleWith(ring(3, 2));
    const rotator = moduleRef.get(KeyRotationService);
    const before = await etags();
    const stop = new AbortController();
    const interrupted = await rotator
      .rotate({
        reencrypt: true,
        signal: stop.signal,
        onProgress: ({ phase, done }) => {
          if (phase === 'reencrypt' && done >= 200) stop.abort();
        },
      })
      .catch((error: unknown) => error);
    expect(interrupted).toBeInstanceOf(RotationInterruptedError);
    expect(interrupted).toMatchObject({ keysRewrapped: TENANTS, configsReencrypted: 200 });
    expect((interrupted as Error).message).toMatch(/run it again to resume/);
    const [run] = await rows<{ started_at: Date; finished_at: Date | null }>(
      'SELECT started_at, finished_at FROM key_rotations WHERE reencrypt',
    );
    expect(run?.finished_at).toBeNull();
    const onOldKeys = `SELECT count(*) FROM service_platforms sp
      JOIN tenant_data_keys k ON k.id = sp.data_key_id WHERE k.created_at < $1`;
    expect(await count(onOldKeys, [run?.started_at])).toBe(CONFIGS - 200);
    expect(events.filter((e) => e.rotation.reencrypt)).toHaveLength(0);

    // Still readable half-way, with the old key gone from the ring.
    await expectEveryConfigAsWritten(await moduleWith(ring(3)));

    const resumed = await rotator.rotate({ reencrypt: true });
    expect(resumed).toMatchObject({
      rotationId: (interrupted as RotationInterruptedError).rotationId,
      masterKeyId: 'k3',
      resumed: true,
      completed: true,
      keysRewrapped: 0,
      keysLeftOnOtherMasterKeys: 0,
      configsReencrypted: CONFIGS - 200,
      configsLeftOnOldDataKeys: 0,
      oldDataKeysKept: TENANTS,
      run: { keysRewrapped: TENANTS, configsReencrypted: CONFIGS, startedAt: run?.started_at },
    });
    expect(await count(onOldKeys, [run?.started_at])).toBe(0);
    // One fresh key per tenant; the old ones stay, re-wrapped.
    expect(await count('SELECT count(*) FROM tenant_data_keys')).toBe(2 * TENANTS);
    expect(await count(`SELECT count(*) FROM tenant_data_keys WHERE master_key_id <> 'k3'`)).toBe(
      0,
    );
    // Content, versions and updated_at (the ETags) unchanged.
    expect(await etags()).toEqual(before);
    await expectEveryConfigAsWritten(moduleRef);
    expect(events.filter((e) => e.rotation.reencrypt).map((e) => e.rotation)).toEqual([
      expect.objectContaining({ masterKeyId: 'k3', keysRewrapped: 0, configsReencrypted: 800 }),
    ]);
    // The audit trail: one key_rotated entry per re-encrypted configuration, naming the keys.
    const audit = await rows<{ platform_id: string; actor_id: string; changes: object }>(
      `SELECT platform_id, actor_id, changes FROM audit_log WHERE action = 'key_rotated'`,
    );
    expect(audit).toHaveLength(CONFIGS);
    expect(new Set(audit.map((entry) => entry.platform_id)).size).toBe(CONFIGS);
    for (const entry of audit) {
      expect(entry).toMatchObject({
        actor_id: 'system:key-rotation',
        changes: { data_key_id: { before: expect.any(String), after: expect.any(String) } },
      });
    }

    const again = await rotator.rotate({ reencrypt: true });
    expect(again).toMatchObject({
      resumed: false,
      completed: true,
      keysRewrapped: 0,
      configsReencrypted: 0,
      run: { configsReencrypted: CONFIGS, finishedAt: resumed.run.finishedAt },
    });
    expect(events.filter((e) => e.rotation.reencrypt)).toHaveLength(1);
    expect(await count(`SELECT count(*) FROM audit_log WHERE action = 'key_rotated'`)).toBe(
      CONFIGS,
    );
  });

  it('k4,k3 --reencrypt with two rotators while a writer updates configs; then k4 only', async () => {
    const moduleRef = await moduleWith(ring(4, 3));
    const second = await moduleWith(ring(4, 3));
    const before = await etags();
    const eventsBefore = events.length;
    const summaries = await rotateUnderTraffic(
      moduleRef,
      [moduleRef.get(KeyRotationService), second.get(KeyRotationService)],
      { reencrypt: true, batchSize: 50 },
    );

    const [run] = await rows<{ id: string; started_at: Date; configs_reencrypted: number }>(
      `SELECT id, started_at, configs_reencrypted FROM key_rotations WHERE master_key_id = 'k4'`,
    );
    for (const summary of summaries) {
      expect(summary).toMatchObject({
        rotationId: run?.id,
        completed: true,
        keysLeftOnOtherMasterKeys: 0,
        configsLeftOnOldDataKeys: 0,
      });
    }
    // Each re-wrap and re-encryption was done once, by one of the two rotators. A row the
    // writer moved to the fresh key first needed no re-encryption.
    const sum = (pick: (s: RotationSummary) => number): number =>
      summaries.reduce((total, s) => total + pick(s), 0);
    expect(sum((s) => s.keysRewrapped)).toBe(2 * TENANTS);
    expect(sum((s) => s.configsReencrypted)).toBe(run?.configs_reencrypted);
    expect(sum((s) => s.configsReencrypted)).toBeLessThanOrEqual(CONFIGS);
    expect(sum((s) => s.configsReencrypted)).toBeGreaterThan(0);
    // Both rotators agreed on one fresh key per tenant.
    expect(
      await count('SELECT count(*) FROM tenant_data_keys WHERE created_at >= $1', [
        run?.started_at,
      ]),
    ).toBe(TENANTS);
    expect(
      await count(
        `SELECT count(*) FROM service_platforms sp
         JOIN tenant_data_keys k ON k.id = sp.data_key_id WHERE k.created_at < $1`,
        [run?.started_at],
      ),
    ).toBe(0);
    expect(await count(`SELECT count(*) FROM tenant_data_keys WHERE master_key_id <> 'k4'`)).toBe(
      0,
    );
    expect(events.length - eventsBefore).toBeGreaterThanOrEqual(1);
    expect(events.slice(eventsBefore).every((e) => e.rotation.rotationId === run?.id)).toBe(true);

    // No lost update, and rows the writer did not touch kept their ETags.
    await expectEveryConfigAsWritten(moduleRef);
    const after = await etags();
    for (const [id, etag] of after) {
      const want = expected.get(id) as Expected;
      expect([before.get(id), `${want.version}@${want.updatedAt}`]).toContain(etag);
    }

    const k4Only = await moduleWith(ring(4));
    await expectEveryConfigAsWritten(k4Only);
    expect((await k4Only.get(ServicePlatformReadiness).check()).ready).toBe(true);
  });
});
