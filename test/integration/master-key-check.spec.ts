import { createHmac, randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import {
  KeyRotationService,
  ServicePlatformReadiness,
  ServicePlatformService,
  type RegisterPlatformRequest,
} from '../../src/service-platform';
import type { Actor } from '../../src/service-platform/domain/actor';
import { DataKeyStore } from '../../src/service-platform/infrastructure/crypto/data-key.store';
import { validConfig } from '../support/fixtures';
import { createIntegrationModule } from '../support/integration-module';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';

// Registers master keys k1/k2 of its own, so it works in a database of its own (the run's shared
// database holds the test ring's ids).

const admin: Actor = { id: 'admin', tenantId: null, roles: ['platform-admin'] };
const K1 = Buffer.alloc(32, 0x11);
/** The real k2, and another one with the same id (a typo, or generated twice). */
const K2_A = Buffer.alloc(32, 0xa2);
const K2_B = Buffer.alloc(32, 0xb2);
const entry = (id: string, material: Buffer): string => `${id}:${material.toString('base64')}`;
const RING_A = `${entry('k2', K2_A)},${entry('k1', K1)}`;
const RING_B = `${entry('k2', K2_B)},${entry('k1', K1)}`;
const checkValue = (material: Buffer): Buffer =>
  createHmac('sha256', material).update('service-platform/master-key-check/v1').digest();

describe('master key check values (real PostgreSQL, database of its own)', () => {
  let database: OwnDatabase;
  let db: Client;
  const modules: TestingModule[] = [];

  async function moduleWith(keys: string): Promise<TestingModule> {
    const moduleRef = await createIntegrationModule(keys, database.url);
    modules.push(moduleRef);
    return moduleRef;
  }

  async function closeAll(): Promise<void> {
    await Promise.all(modules.splice(0).map((moduleRef) => moduleRef.close()));
  }

  async function rows<T>(sql: string): Promise<T[]> {
    return (await db.query(sql)).rows as T[];
  }

  /** Everything the key checks protect, as stored. */
  async function snapshot(): Promise<unknown> {
    return {
      dataKeys: await rows(
        'SELECT id, master_key_id, version, wrapped_key FROM tenant_data_keys ORDER BY id',
      ),
      platforms: await rows('SELECT id, data_key_id, version FROM service_platforms ORDER BY id'),
      rotations: await rows('SELECT * FROM key_rotations ORDER BY id'),
      masterKeys: await rows('SELECT id, check_value FROM master_keys ORDER BY id'),
    };
  }

  async function registerTenant(moduleRef: TestingModule): Promise<string> {
    const tenantId = randomUUID();
    await moduleRef.get(ServicePlatformService).registerPlatform(
      {
        tenant_id: tenantId,
        service_name: 'outlook',
        config: validConfig('outlook', {
          client_secret: `secret-${randomUUID()}`,
        }) as RegisterPlatformRequest['config'],
      },
      admin,
    );
    return tenantId;
  }

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_master_keys');
    db = new Client({ connectionString: database.url });
    await db.connect();

    // Data already stored under k1.
    const k1Only = await moduleWith(entry('k1', K1));
    await registerTenant(k1Only);
    await registerTenant(k1Only);
    await closeAll();
  }, 120_000);

  afterAll(async () => {
    await closeAll();
    await db?.end();
    await dropDatabase(database);
  });

  afterEach(closeAll);

  it('registers the check value of a master key on first use, never the key', async () => {
    expect(await rows('SELECT id, check_value FROM master_keys')).toEqual([
      { id: 'k1', check_value: checkValue(K1) },
    ]);
    // A new primary k2 wraps nothing yet: the instance's canary registers it.
    const moduleA = await moduleWith(RING_A);
    expect((await moduleA.get(ServicePlatformReadiness).check()).ready).toBe(true);
    expect(await rows('SELECT id, check_value FROM master_keys ORDER BY id')).toEqual([
      { id: 'k1', check_value: checkValue(K1) },
      { id: 'k2', check_value: checkValue(K2_A) },
    ]);
    const stored = await rows<{ check_value: Buffer }>('SELECT check_value FROM master_keys');
    for (const { check_value } of stored) {
      expect([K1, K2_A, K2_B].some((key) => key.equals(check_value))).toBe(false);
    }
  });

  it('other material under a registered id: not ready, no new data key, no rotation', async () => {
    const before = await snapshot();
    const moduleB = await moduleWith(RING_B);

    const report = await moduleB.get(ServicePlatformReadiness).check();
    expect(report.ready).toBe(false);
    expect(report.encryption.up).toBe(false);
    // The probe says why in general terms; the key id is for operators (log, admin details).
    expect(report.encryption.reason).toBe('the encryption keys cannot open the stored data');
    expect(report.encryption.detail).toMatch(
      /master key 'k2' in ENCRYPTION_KEYS does not match the key registered under that id/,
    );
    expect(JSON.stringify(report)).not.toContain(K2_B.toString('base64'));

    await expect(moduleB.get(DataKeyStore).currentKey(randomUUID())).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      internalDetail: expect.stringMatching(/master key 'k2' in ENCRYPTION_KEYS does not match/),
    });
    await expect(registerTenant(moduleB)).rejects.toThrow();

    await expect(moduleB.get(KeyRotationService).rotate()).rejects.toThrow(
      /master key 'k2' in ENCRYPTION_KEYS does not match/,
    );
    await expect(moduleB.get(KeyRotationService).rotate({ reencrypt: true })).rejects.toThrow(
      /master key 'k2'/,
    );

    // Nothing written: data keys still wrapped by k1 as before, no run, k2 still registered as A.
    expect(await snapshot()).toEqual(before);
    expect(await rows('SELECT DISTINCT master_key_id FROM tenant_data_keys')).toEqual([
      { master_key_id: 'k1' },
    ]);
  });

  it('the right material still works: new tenants under k2, rotation to k2, ready', async () => {
    const moduleA = await moduleWith(RING_A);
    await registerTenant(moduleA);
    const summary = await moduleA.get(KeyRotationService).rotate();
    expect(summary).toMatchObject({
      masterKeyId: 'k2',
      completed: true,
      keysRewrapped: 2,
      keysLeftOnOtherMasterKeys: 0,
    });
    expect(
      await rows('SELECT master_key_id, count(*)::int AS keys FROM tenant_data_keys GROUP BY 1'),
    ).toEqual([{ master_key_id: 'k2', keys: 3 }]);

    const k2Only = await moduleWith(entry('k2', K2_A));
    expect((await k2Only.get(ServicePlatformReadiness).check()).ready).toBe(true);
    await registerTenant(k2Only);

    // Once data is wrapped by k2, the wrong k2 is refused by both checks, still naming k2.
    const moduleB = await moduleWith(RING_B);
    const report = await moduleB.get(ServicePlatformReadiness).check();
    expect(report.ready).toBe(false);
    expect(report.encryption.detail).toMatch(/master key 'k2'/);
  });

  it('a new data key is wrapped only on a check of now, not one remembered from before a rotation', async () => {
    // After the test above every data key is wrapped by k2. S holds k2 only; A rolls k3 in.
    const K3 = Buffer.alloc(32, 0x33);
    const moduleS = await moduleWith(entry('k2', K2_A));
    const moduleA = await moduleWith(`${entry('k3', K3)},${entry('k2', K2_A)}`);
    await registerTenant(moduleS); // S's ring fits: a success S remembers for a few seconds
    await registerTenant(moduleA); // k3 registered, a data key wrapped by it
    const before = await snapshot();

    // S cannot open k3, so it must not wrap a new tenant's key, however recent its last check.
    await expect(moduleS.get(DataKeyStore).currentKey(randomUUID())).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      internalDetail: expect.stringMatching(/'k3'/),
    });
    await expect(registerTenant(moduleS)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await snapshot()).toEqual(before);
  });
});
