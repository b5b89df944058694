import { secretsOf } from '../support/catalog';
import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';
import { accessFor } from '../../src/service-platform/application/authz/platform-access';
import type { Actor } from '../../src/service-platform/domain/actor';
import { ServicePlatformRepository } from '../../src/service-platform/application/ports/service-platform.repository.port';
import { UnitOfWork } from '../../src/service-platform/application/ports/unit-of-work.port';
import { newTimeOrderedId } from '../../src/service-platform/domain/identifiers';
import { PlatformConfiguration } from '../../src/service-platform/domain/platform-configuration.value-object';
import {
  ConfigDecryptionError,
  PlatformAlreadyExistsError,
  PlatformNotFoundError,
  VersionConflictError,
} from '../../src/service-platform/domain/platform.errors';
import { ServicePlatform } from '../../src/service-platform/domain/service-platform.entity';
import { canarySecret } from '../support/fixtures';
import { createIntegrationModule } from '../support/integration-module';

const admin: Actor = { id: 'admin', tenantId: null, roles: ['platform-admin'] };
const all = accessFor(admin, 'manage');
const tenantAdmin = (tenantId: string): Actor => ({ id: 'ta', tenantId, roles: ['tenant-admin'] });

describe('PrismaServicePlatformRepository (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let repository: ServicePlatformRepository;
  let db: Client;
  let tenant: string;
  // A database of its own: this file makes rows undecryptable, and other files' lists of every
  // tenant, on the shared test database at the same time, would fail on them.
  let database: OwnDatabase;

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_repository');
    moduleRef = await createIntegrationModule(process.env.ENCRYPTION_KEYS, database.url);
    repository = moduleRef.get(ServicePlatformRepository);
    db = new Client({ connectionString: database.url });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await moduleRef?.close();
    await dropDatabase(database);
  });
  beforeEach(() => {
    tenant = randomUUID();
  });

  async function dataKeyOf(platformId: string): Promise<string | undefined> {
    const { rows } = await db.query('SELECT data_key_id FROM service_platforms WHERE id = $1', [
      platformId,
    ]);
    return (rows[0] as { data_key_id?: string } | undefined)?.data_key_id;
  }

  const platform = (serviceName = 'outlook', tenantId = tenant, secret = canarySecret()) =>
    ServicePlatform.register({
      id: newTimeOrderedId(),
      tenantId,
      serviceName,
      config: PlatformConfiguration.create({
        client_id: 'client',
        client_secret: secret,
        additional_data: { refresh_token: 'rt' },
      }),
      secrets: secretsOf(serviceName),
      now: new Date(),
    });

  it('create + getById round-trip every field, config included', async () => {
    const created = await repository.create(platform());
    const read = await repository.getById(created.id, all);
    expect(read?.toDict()).toEqual(created.toDict());
    expect(read?.config.toPlain()).toEqual(created.config.toPlain());
  });

  it('getById is scoped: the owner finds it, another tenant does not, unknown is null', async () => {
    const created = await repository.create(platform());
    expect(
      await repository.getById(created.id, accessFor(tenantAdmin(tenant), 'read')),
    ).not.toBeNull();
    expect(
      await repository.getById(created.id, accessFor(tenantAdmin(randomUUID()), 'read')),
    ).toBeNull();
    expect(await repository.getById(randomUUID(), all)).toBeNull();
  });

  it('getByTenantService finds by the natural key only', async () => {
    const created = await repository.create(platform('gmail'));
    expect((await repository.getByTenantService(tenant, 'gmail'))?.id).toBe(created.id);
    expect(await repository.getByTenantService(tenant, 'outlook')).toBeNull();
    expect(await repository.getByTenantService(randomUUID(), 'gmail')).toBeNull();
  });

  it('enforces one configuration per tenant and service, even under concurrency', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, () => repository.create(platform('slack'))),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const attempt of attempts.filter((a) => a.status === 'rejected')) {
      expect(attempt.reason).toBeInstanceOf(PlatformAlreadyExistsError);
    }
    const { rows } = await db.query(
      'SELECT count(*)::int AS n FROM service_platforms WHERE tenant_id = $1',
      [tenant],
    );
    expect(rows[0].n).toBe(1);
    // Another tenant may register the same service.
    await expect(repository.create(platform('slack', randomUUID()))).resolves.toBeDefined();
  });

  it('update writes when the version matches and refuses a stale one without writing', async () => {
    const created = await repository.create(platform());
    const v2 = created.updateConfig({ client_id: 'client-2' }, new Date());
    await repository.update(v2, 1);
    const stale = created.updateConfig({ client_id: 'client-3' }, new Date());
    await expect(repository.update(stale, 1)).rejects.toThrow(VersionConflictError);
    const read = await repository.getById(created.id, all);
    expect(read?.version).toBe(2);
    expect(read?.config.clientId).toBe('client-2');
  });

  it('forUpdate reads lock the row inside a unit of work, and refuse to run outside one', async () => {
    const created = await repository.create(platform());
    await expect(repository.getById(created.id, all, { forUpdate: true })).rejects.toThrow(
      /inside UnitOfWork/,
    );
    const unitOfWork = moduleRef.get(UnitOfWork);
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHoldsLock = new Promise<void>((resolve) => (releaseFirst = resolve));
    const first = unitOfWork.run(async () => {
      await repository.getById(created.id, all, { forUpdate: true });
      order.push('first locked');
      await firstHoldsLock;
      order.push('first done');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = unitOfWork.run(async () => {
      await repository.getById(created.id, all, { forUpdate: true });
      order.push('second locked');
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first locked', 'first done', 'second locked']);
  });

  it('a failing unit of work writes nothing', async () => {
    const unitOfWork = moduleRef.get(UnitOfWork);
    const draft = platform('teams');
    await expect(
      unitOfWork.run(async () => {
        await repository.create(draft);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await repository.getById(draft.id, all)).toBeNull();
  });

  it('afterCommit runs once the outermost transaction committed, never after a rollback', async () => {
    const unitOfWork = moduleRef.get(UnitOfWork);
    const seen: string[] = [];
    const draft = platform('zoom');
    await unitOfWork.run(async () => {
      await repository.create(draft);
      unitOfWork.afterCommit(async () => {
        // Outside the transaction: another connection sees the committed row.
        const row = await repository.getById(draft.id, all);
        seen.push(row === null ? 'not committed' : 'committed');
      });
      await unitOfWork.run(() => {
        unitOfWork.afterCommit(() => Promise.resolve(void seen.push('nested, after commit')));
        return Promise.resolve();
      });
      seen.push('end of work');
    });
    expect(seen).toEqual(['end of work', 'committed', 'nested, after commit']);

    const rolledBack: string[] = [];
    await expect(
      unitOfWork.run(async () => {
        await repository.create(platform('webex'));
        unitOfWork.afterCommit(() => Promise.resolve(void rolledBack.push('ran')));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(rolledBack).toEqual([]);
  });

  it('a failing afterCommit step does not turn a committed change into an error', async () => {
    const unitOfWork = moduleRef.get(UnitOfWork);
    const draft = platform('meet');
    const after: string[] = [];
    await expect(
      unitOfWork.run(async () => {
        await repository.create(draft);
        unitOfWork.afterCommit(() => Promise.reject(new Error('cache down')));
        unitOfWork.afterCommit(() => Promise.resolve(void after.push('second step ran')));
        return 'done';
      }),
    ).resolves.toBe('done');
    expect(after).toEqual(['second step ran']);
    expect(await repository.getById(draft.id, all)).not.toBeNull();
  });

  it('update of a missing row is not found', async () => {
    await expect(repository.update(platform(), 1)).rejects.toThrow(PlatformNotFoundError);
  });

  it('update re-encrypts with a fresh IV', async () => {
    const created = await repository.create(platform());
    const before = await db.query('SELECT config_iv FROM service_platforms WHERE id = $1', [
      created.id,
    ]);
    await repository.update(created.updateConfig({ client_id: 'x' }, new Date()), 1);
    const after = await db.query('SELECT config_iv FROM service_platforms WHERE id = $1', [
      created.id,
    ]);
    expect(Buffer.compare(before.rows[0].config_iv, after.rows[0].config_iv)).not.toBe(0);
  });

  it('deactivate / activate change state once, bump the version, and are scoped', async () => {
    const created = await repository.create(platform());
    expect(
      await repository.deactivate(created.id, accessFor(tenantAdmin(randomUUID()), 'deactivate')),
    ).toBeNull();
    const off = await repository.deactivate(
      created.id,
      accessFor(tenantAdmin(tenant), 'deactivate'),
    );
    expect(off?.changed).toBe(true);
    expect(off?.platform.isActive).toBe(false);
    expect(off?.platform.version).toBe(2);
    const again = await repository.deactivate(created.id, all);
    expect(again).toMatchObject({ changed: false, platform: { version: 2 } });
    const on = await repository.activate(created.id, all);
    expect(on).toMatchObject({ changed: true, platform: { isActive: true, version: 3 } });
    expect(await repository.activate(randomUUID(), all)).toBeNull();
  });

  it('concurrent deactivations report exactly one change', async () => {
    const created = await repository.create(platform());
    const results = await Promise.all(
      Array.from({ length: 8 }, () => repository.deactivate(created.id, all)),
    );
    expect(results.filter((r) => r?.changed)).toHaveLength(1);
    expect((await repository.getById(created.id, all))?.version).toBe(2);
  });

  it('listByTenant pages in registration order with filters, never crossing tenants', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const name of names) await repository.create(platform(name));
    await repository.create(platform('a', randomUUID()));
    const b = await repository.getByTenantService(tenant, 'b');
    await repository.deactivate(b?.id as string, all);

    const seen: string[] = [];
    let after: { afterId: string } | undefined;
    for (;;) {
      const page = await repository.listByTenant(
        { tenantId: tenant, limit: 2, ...(after && { after }) },
        all,
      );
      seen.push(...page.items.map((p) => p.serviceName));
      expect(page.items.every((p) => p.tenantId === tenant)).toBe(true);
      if (page.next === null) break;
      after = page.next;
    }
    expect(seen).toEqual(names);

    // The data layer applies the caller's ability whatever the criteria say.
    const stranger = accessFor(tenantAdmin(randomUUID()), 'read');
    expect(
      (await repository.listByTenant({ tenantId: tenant, limit: 50 }, stranger)).items,
    ).toEqual([]);
    expect((await repository.listByTenant({ limit: 200 }, stranger)).items).toEqual([]);
    const own = await repository.listByTenant(
      { limit: 200 },
      accessFor(tenantAdmin(tenant), 'read'),
    );
    expect(own.items.map((p) => p.serviceName)).toEqual(names);
    const integrationOnly = accessFor(
      { id: 'i', tenantId: tenant, roles: ['integration'] },
      'read',
    );
    expect((await repository.listByTenant({ limit: 200 }, integrationOnly)).items).toEqual([]);

    const active = await repository.listByTenant(
      { tenantId: tenant, limit: 50, isActive: true },
      all,
    );
    expect(active.items.map((p) => p.serviceName)).toEqual(['a', 'c', 'd', 'e']);
    const inactive = await repository.listByTenant(
      {
        tenantId: tenant,
        limit: 50,
        isActive: false,
      },
      all,
    );
    expect(inactive.items.map((p) => p.serviceName)).toEqual(['b']);
    const one = await repository.listByTenant(
      { tenantId: tenant, limit: 50, serviceName: 'd' },
      all,
    );
    expect(one.items.map((p) => p.serviceName)).toEqual(['d']);
    expect(
      (await repository.listByTenant({ tenantId: randomUUID(), limit: 5 }, all)).items,
    ).toEqual([]);
  });

  it('listSealed and listVersions read the page listByTenant reads, decrypting only what is opened', async () => {
    for (const name of ['a', 'b', 'c']) await repository.create(platform(name));
    await repository.create(platform('a', randomUUID()));
    const b = await repository.getByTenantService(tenant, 'b');
    await repository.deactivate(b?.id as string, all);

    const criteria = { tenantId: tenant, limit: 2 };
    const full = await repository.listByTenant(criteria, all);
    const sealed = await repository.listSealed(criteria, all);
    expect(sealed.next).toEqual(full.next);
    expect(sealed.items.map(({ id, tenantId, version }) => ({ id, tenantId, version }))).toEqual(
      full.items.map(({ id, tenantId, version }) => ({ id, tenantId, version })),
    );
    expect(sealed.items.map((item) => item.version)).toEqual([1, 2]);
    expect(await repository.listVersions(criteria, all)).toEqual({
      items: full.items.map(({ id, tenantId, version }) => ({ id, tenantId, version })),
      next: full.next,
    });
    const rest = await repository.listVersions({ ...criteria, after: full.next! }, all);
    expect(rest.items).toHaveLength(1);
    expect(rest.next).toBeNull();
    const opened = await Promise.all(sealed.items.map((item) => item.open()));
    expect(opened.map((p) => p.toDict())).toEqual(full.items.map((p) => p.toDict()));

    // Scoped by the caller's ability as listByTenant is, whatever the criteria say.
    const stranger = accessFor(tenantAdmin(randomUUID()), 'read');
    expect((await repository.listSealed({ tenantId: tenant, limit: 50 }, stranger)).items).toEqual(
      [],
    );
    expect((await repository.listSealed({ limit: 200 }, stranger)).items).toEqual([]);
    const integrationOnly = accessFor(
      { id: 'i', tenantId: tenant, roles: ['integration'] },
      'read',
    );
    expect((await repository.listSealed({ limit: 200 }, integrationOnly)).items).toEqual([]);
    for (const nobody of [stranger, integrationOnly]) {
      expect((await repository.listVersions({ limit: 200 }, nobody)).items).toEqual([]);
      expect(
        (await repository.listVersions({ tenantId: tenant, limit: 50 }, nobody)).items,
      ).toEqual([]);
    }
    const own = await repository.listSealed({ limit: 200 }, accessFor(tenantAdmin(tenant), 'read'));
    expect(own.items.every((item) => item.tenantId === tenant)).toBe(true);
    expect(own.items).toHaveLength(3);
    expect(
      (await repository.listSealed({ tenantId: tenant, limit: 50, isActive: false }, all)).items,
    ).toHaveLength(1);

    // A row that does not decrypt fails when opened, with the typed error, not before.
    const [first, second] = sealed.items;
    await copyCiphertext(second?.id as string, first?.id as string);
    const again = await repository.listSealed(criteria, all);
    await expect(again.items[0]?.open()).rejects.toThrow(ConfigDecryptionError);
    await expect(again.items[1]?.open()).resolves.toMatchObject({ id: second?.id });
  });

  it('stores no plaintext: not the secret, not the client id, not additional data', async () => {
    const secret = canarySecret();
    const created = await repository.create(platform('outlook', tenant, secret));
    const { rows } = await db.query('SELECT * FROM service_platforms WHERE id = $1', [created.id]);
    const row = rows[0] as Record<string, unknown>;
    const dump = Object.values(row)
      .map((value) =>
        Buffer.isBuffer(value)
          ? `${value.toString('utf8')} ${value.toString('hex')}`
          : String(value),
      )
      .join(' ');
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(Buffer.from(secret).toString('hex'));
    expect(dump).not.toContain('client');
    expect(dump).not.toContain('refresh_token');
    expect(typeof row.data_key_id).toBe('string');
    const key = await db.query(
      'SELECT tenant_id, master_key_id FROM tenant_data_keys WHERE id = $1',
      [row.data_key_id],
    );
    expect(key.rows[0]).toEqual({ tenant_id: tenant, master_key_id: 'test-2' });
  });

  it("fails with a typed error when one row's ciphertext is copied into another row", async () => {
    const source = await repository.create(platform('outlook'));
    const target = await repository.create(platform('gmail'));
    await db.query(
      `UPDATE service_platforms t SET config_ciphertext = s.config_ciphertext, config_iv = s.config_iv,
         config_auth_tag = s.config_auth_tag FROM service_platforms s WHERE s.id = $1 AND t.id = $2`,
      [source.id, target.id],
    );
    await expect(repository.getById(target.id, all)).rejects.toThrow(ConfigDecryptionError);
    await expect(repository.getById(source.id, all)).resolves.not.toBeNull();
  });

  const copyCiphertext = (fromId: string, toId: string) => {
    return db.query(
      `UPDATE service_platforms t SET config_ciphertext = s.config_ciphertext, config_iv = s.config_iv,
         config_auth_tag = s.config_auth_tag, data_key_id = s.data_key_id
       FROM service_platforms s WHERE s.id = $1 AND t.id = $2`,
      [fromId, toId],
    );
  };

  it("fails with a typed error when tenant A's ciphertext (and key id) is copied into tenant B's row", async () => {
    const a = await repository.create(platform('outlook', tenant));
    const b = await repository.create(platform('outlook', randomUUID()));
    await copyCiphertext(a.id, b.id);
    await expect(repository.getById(b.id, all)).rejects.toMatchObject({
      name: ConfigDecryptionError.name,
      internalDetail: `data key ${(await dataKeyOf(a.id)) as string} is not a key of tenant ${b.tenantId}`,
    });
  });

  it("fails when two rows' ciphertexts are swapped", async () => {
    const a = await repository.create(platform('outlook'));
    const b = await repository.create(platform('gmail'));
    const saved = await db.query('SELECT * FROM service_platforms WHERE id = $1', [a.id]);
    await copyCiphertext(b.id, a.id);
    await db.query(
      `UPDATE service_platforms SET config_ciphertext = $2, config_iv = $3, config_auth_tag = $4,
         data_key_id = $5 WHERE id = $1`,
      [
        b.id,
        saved.rows[0].config_ciphertext,
        saved.rows[0].config_iv,
        saved.rows[0].config_auth_tag,
        saved.rows[0].data_key_id,
      ],
    );
    const failed = { internalDetail: expect.stringMatching(/^authentication failed/) };
    await expect(repository.getById(a.id, all)).rejects.toMatchObject(failed);
    await expect(repository.getById(b.id, all)).rejects.toMatchObject(failed);
  });

  it('concurrent first writes of a tenant agree on one data key', async () => {
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((name) => repository.create(platform(name))),
    );
    const { rows } = await db.query(
      'SELECT count(*)::int AS n FROM tenant_data_keys WHERE tenant_id = $1',
      [tenant],
    );
    expect(rows[0].n).toBe(1);
  });

  it('gives every tenant a data key of its own, wrapped by the primary master key', async () => {
    const a = await repository.create(platform('outlook', tenant));
    const a2 = await repository.create(platform('gmail', tenant));
    const b = await repository.create(platform('outlook', randomUUID()));
    expect(await dataKeyOf(a.id)).toBe(await dataKeyOf(a2.id));
    expect(await dataKeyOf(b.id)).not.toBe(await dataKeyOf(a.id));
    const { rows } = await db.query('SELECT * FROM tenant_data_keys WHERE tenant_id = $1', [
      tenant,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].master_key_id).toBe('test-2');
    expect(rows[0].wrapped_key).toHaveLength(32);
  });

  it('reads rows written under a key that is no longer primary, and refuses unknown keys', async () => {
    const created = await repository.create(platform());
    const k = (byte: number) => Buffer.alloc(32, byte).toString('base64');
    const rotated = await createIntegrationModule(`new:${k(9)},test-2:${k(2)}`, database.url);
    try {
      const read = await rotated.get(ServicePlatformRepository).getById(created.id, all);
      expect(read?.config.toPlain()).toEqual(created.config.toPlain());
    } finally {
      await rotated.close();
    }
    const stranger = await createIntegrationModule(`other:${k(7)}`, database.url);
    try {
      await expect(
        stranger.get(ServicePlatformRepository).getById(created.id, all),
      ).rejects.toMatchObject({
        internalDetail: expect.stringContaining(
          "wrapped with master key 'test-2', which is not in ENCRYPTION_KEYS",
        ),
      });
    } finally {
      await stranger.close();
    }
  });
});
