import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { createMigratedDatabase, dropDatabase, type OwnDatabase } from '../support/own-database';
import { canarySecret, guidOf, newTenantId } from '../support/fixtures';
import { PLATFORMS } from '../support/test-app';
import { API, expectErrorBody, expectNoSecret, http, startListeningApp } from './e2e-helpers';

type Row = Record<string, unknown>;

/** The Entra tenant of the platforms' provider configuration (must not be stored in clear). */
const PROVIDER_TENANT = 'contoso-provider-tenant.onmicrosoft.com';

/** Every way a value could sit in a column: as text, as bytes, hex-encoded, base64-encoded. */
function expectNotStored(row: Row, ...plaintexts: string[]): void {
  for (const [column, value] of Object.entries(row)) {
    const forms =
      value instanceof Buffer
        ? [
            value.toString('utf8'),
            value.toString('latin1'),
            value.toString('hex'),
            value.toString('base64'),
          ]
        : [String(value instanceof Date ? value.toISOString() : value)];
    for (const plaintext of plaintexts) {
      const variants = [
        plaintext,
        Buffer.from(plaintext).toString('hex'),
        Buffer.from(plaintext).toString('base64'),
      ];
      for (const form of forms) {
        for (const variant of variants) {
          if (form.includes(variant)) throw new Error(`column ${column} holds ${plaintext}`);
        }
      }
    }
  }
}

describe.each(PLATFORMS)('secrets at rest (%s)', (platform) => {
  let app: INestApplication;
  let db: Client;
  // A database of its own: this file makes rows undecryptable, and other files' lists of every
  // tenant, on the shared test database at the same time, would fail on them.
  let database: OwnDatabase;

  beforeAll(async () => {
    database = await createMigratedDatabase('sp_at_rest');
    app = await startListeningApp(platform, { DATABASE_URL: database.url });
    db = new Client({ connectionString: database.url });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await app?.close();
    await dropDatabase(database);
  });

  async function rowOf(id: string): Promise<Row> {
    const { rows } = await db.query<Row>('SELECT * FROM service_platforms WHERE id = $1', [id]);
    expect(rows).toHaveLength(1);
    return rows[0] as Row;
  }

  /** The row as PostgreSQL itself renders it as text (bytea as \x hex). */
  async function rowText(id: string): Promise<string> {
    const { rows } = await db.query<{ text: string }>(
      'SELECT row_to_json(t)::text AS text FROM service_platforms t WHERE id = $1',
      [id],
    );
    return rows[0]?.text ?? '';
  }

  async function register(tenant: string, clientId: string, secret: string, extra: Row = {}) {
    const res = await http(app)
      .post(API)
      .send({
        tenant_id: tenant,
        service_name: 'outlook',
        config: {
          client_id: clientId,
          client_secret: secret,
          tenant_id: PROVIDER_TENANT,
          additional_data: { refresh_token: `${secret}-refresh`, ...extra },
        },
      });
    expect(res.status).toBe(201);
    expectNoSecret(res, secret);
    return res.body.platform as { id: string; tenant_id: string };
  }

  it('the row holds neither the secret nor the client id in clear; AES-GCM columns', async () => {
    const tenant = newTenantId();
    const secret = canarySecret('at-rest');
    const clientId = randomUUID(); // outlook's client ids are GUIDs
    const created = await register(tenant, clientId, secret);

    const row = await rowOf(created.id);
    // The check itself finds a plaintext in any of its forms.
    for (const form of [Buffer.from(`x${secret}x`), Buffer.from(secret).toString('hex')]) {
      expect(() => expectNotStored({ column: form }, secret)).toThrow(/holds/);
    }
    expect(Object.keys(row).sort()).toEqual([
      'config_auth_tag',
      'config_ciphertext',
      'config_iv',
      'created_at',
      'data_key_id',
      'id',
      'is_active',
      'service_name',
      'tenant_id',
      'updated_at',
      'version',
    ]);
    expectNotStored(row, secret, clientId, `${secret}-refresh`, PROVIDER_TENANT);
    const text = await rowText(created.id);
    for (const plaintext of [secret, clientId, PROVIDER_TENANT]) {
      expect(text).not.toContain(plaintext);
      expect(text).not.toContain(Buffer.from(plaintext).toString('hex'));
    }

    // Envelope encryption: the row names its tenant data key, wrapped by the primary master key.
    const key = await db.query(
      'SELECT tenant_id, master_key_id, wrapped_key FROM tenant_data_keys WHERE id = $1',
      [row.data_key_id],
    );
    expect(key.rows[0].tenant_id).toBe(tenant);
    expect(key.rows[0].master_key_id).toBe('test-2');
    expect((key.rows[0].wrapped_key as Buffer).length).toBe(32);
    expect(row.config_iv).toBeInstanceOf(Buffer);
    expect((row.config_iv as Buffer).length).toBe(12);
    expect((row.config_auth_tag as Buffer).length).toBe(16);
    // GCM adds no padding: the ciphertext is as long as the JSON it hides, so it is not empty.
    expect((row.config_ciphertext as Buffer).length).toBeGreaterThan(
      secret.length + clientId.length,
    );
    expect(row.tenant_id).toBe(tenant);
    expect(row.service_name).toBe('outlook');
    expect(row.version).toBe(1);
  });

  it('the same secret twice: different IVs and ciphertexts', async () => {
    const secret = canarySecret('twice');
    const a = await register(newTenantId(), guidOf('same-client'), secret);
    const b = await register(newTenantId(), guidOf('same-client'), secret);
    const [rowA, rowB] = [await rowOf(a.id), await rowOf(b.id)];

    expect((rowA.config_iv as Buffer).equals(rowB.config_iv as Buffer)).toBe(false);
    expect((rowA.config_ciphertext as Buffer).equals(rowB.config_ciphertext as Buffer)).toBe(false);
    expect((rowA.config_auth_tag as Buffer).equals(rowB.config_auth_tag as Buffer)).toBe(false);
  });

  it('an update re-encrypts with a fresh IV; neither the old nor the new secret is stored', async () => {
    const secret = canarySecret('before');
    const created = await register(newTenantId(), guidOf('client-a'), secret);
    const before = await rowOf(created.id);

    const rotated = canarySecret('after');
    const res = await http(app)
      .put(`${API}/${created.id}`)
      .send({ config: { client_secret: rotated, client_id: guidOf('client-b') } });
    expect(res.status).toBe(200);
    expectNoSecret(res, secret, rotated);

    const after = await rowOf(created.id);
    expect(after.version).toBe(2);
    expect(after.data_key_id).toBe(before.data_key_id);
    expect((after.config_iv as Buffer).equals(before.config_iv as Buffer)).toBe(false);
    expect((after.config_ciphertext as Buffer).equals(before.config_ciphertext as Buffer)).toBe(
      false,
    );
    expectNotStored(after, secret, rotated, guidOf('client-b'));
  });

  /**
   * Copies one row's encrypted configuration (and data key id) onto another, as someone with
   * database access could; with `bumpVersion`, the edit also moves the version on (so that no
   * cached view of the row stands in for it).
   */
  async function moveCiphertext(
    fromId: string,
    toId: string,
    { bumpVersion }: { bumpVersion: boolean },
  ): Promise<void> {
    await db.query(
      `UPDATE service_platforms AS t
          SET config_ciphertext = f.config_ciphertext, config_iv = f.config_iv,
              config_auth_tag = f.config_auth_tag, data_key_id = f.data_key_id,
              version = t.version + $3
         FROM service_platforms AS f
        WHERE f.id = $1 AND t.id = $2`,
      [fromId, toId, bumpVersion ? 1 : 0],
    );
  }

  it('a ciphertext moved to another row does not decrypt: 500 without any secret', async () => {
    const secretA = canarySecret('row-a');
    const a = await register(newTenantId(), guidOf('client-a'), secretA);
    const b = await register(newTenantId(), guidOf('client-b'), canarySecret('row-b'));
    // Copy A's encrypted configuration (and data key id) onto B: B's tenant has no such key, and
    // the AAD binds the ciphertext to A's tenant, service and id anyway.
    await moveCiphertext(a.id, b.id, { bumpVersion: false });

    // Reads that decrypt (an update; also credential resolution, and a list or GET by id that
    // finds no cached view of the row's version) refuse it.
    const res = await http(app)
      .put(`${API}/${b.id}`)
      .send({ config: { client_id: guidOf('client-b') } });

    const error = expectErrorBody(res, 500, 'CONFIG_DECRYPTION_FAILED');
    expect(error.error).toBe('Internal Server Error');
    expectNoSecret(res, secretA, guidOf('client-a'));
    // GET by id and a list answer the read cache's masked view of B as last written through the
    // service (the edit bumped no version, so no cache heard of it): B's own, without any secret.
    const cached = await http(app).get(`${API}/${b.id}`);
    const listed = await http(app).get(API).query({ tenant_id: b.tenant_id });
    for (const [answer, view] of [
      [cached, cached.body],
      [listed, listed.body.platforms?.[0]],
    ] as const) {
      expect(answer.status).toBe(200);
      expect(view.config).toMatchObject({
        client_id: guidOf('client-b'),
        client_secret: '********',
      });
      expectNoSecret(answer, secretA, guidOf('client-a'));
    }
    // A still reads fine.
    expect((await http(app).get(`${API}/${a.id}`)).status).toBe(200);
  });

  it('a list finds no cached view of a moved ciphertext whose version changed: 500 without any secret', async () => {
    const secretA = canarySecret('row-a');
    const a = await register(newTenantId(), guidOf('client-a'), secretA);
    const c = await register(newTenantId(), guidOf('client-c'), canarySecret('row-c'));
    await moveCiphertext(a.id, c.id, { bumpVersion: true });

    const res = await http(app).get(API).query({ tenant_id: c.tenant_id });

    const error = expectErrorBody(res, 500, 'CONFIG_DECRYPTION_FAILED');
    expect(error.error).toBe('Internal Server Error');
    expectNoSecret(res, secretA, guidOf('client-a'));
  });
});
