import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { canarySecret, guidOf, newTenantId } from '../support/fixtures';
import type { HttpPlatform } from '../../src/bootstrap';
import { API, connectDatabase, http, startListeningApp } from './e2e-helpers';

/** Every form a leaked secret could take in text. */
function formsOf(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')];
}

/**
 * One app per test file: nestjs-pino keeps its root logger in module state, so a second app in
 * the same file would log into the first one's destination.
 *
 * A canary secret goes in at the start; then every endpoint (and its error paths) is exercised.
 * Afterwards it must appear in no HTTP answer (body or header), no log line, and no database
 * column, in any encoding.
 */
export function describeCanarySecret(platform: HttpPlatform): void {
  describe(`canary secret (${platform})`, () => {
    let app: INestApplication;
    let logFile: string;
    const answers: string[] = [];

    beforeAll(async () => {
      logFile = join(mkdtempSync(join(tmpdir(), 'sp-canary-')), 'app.log');
      app = await startListeningApp(platform, { LOG_LEVEL: 'trace', LOG_FILE: logFile });
    });
    afterAll(async () => {
      await app.close();
    });

    function keep<T extends { status: number; text: string; headers: Record<string, unknown> }>(
      res: T,
    ): T {
      answers.push(`${res.status} ${JSON.stringify(res.headers)} ${res.text}`);
      return res;
    }

    it('appears in no answer, log line or column after every endpoint has been used', async () => {
      const tenant = newTenantId();
      const secret = canarySecret('canary');
      const refresh = canarySecret('refresh');
      const rotated = canarySecret('rotated');
      const admin = { tenantId: tenant, roles: ['tenant-admin'] };
      const body = {
        tenant_id: tenant,
        service_name: 'outlook',
        config: {
          client_id: guidOf('canary-client'),
          client_secret: secret,
          tenant_id: 'contoso.onmicrosoft.com',
          additional_data: { refresh_token: refresh, api_key: refresh, region: 'eu' },
        },
      };

      const created = keep(await http(app, { as: admin }).post(API).send(body));
      expect(created.status).toBe(201);
      const id = (created.body as { platform: { id: string } }).platform.id;
      const item = `${API}/${id}`;

      const exercised = [
        await http(app, { as: admin }).get(item),
        await http(app, { as: admin }).get(API).query({ tenant_id: tenant, is_active: 'true' }),
        await http(app).get(API).query({ limit: 5 }),
        await http(app, { as: admin })
          .put(item)
          .set('If-Match', '"1"')
          .send({ config: { client_secret: rotated } }),
        await http(app, { as: admin })
          .put(item)
          .set('If-Match', '"1"')
          .send({ config: { client_secret: secret } }),
        await http(app, { as: admin })
          .put(item)
          .send({ config: { client_secret: secret, surprise: secret } }),
        await http(app, { as: admin }).post(`${item}/deactivate`),
        await http(app, { as: admin }).post(`${item}/activate`),
        await http(app, { as: admin }).post(API).send(body), // 409
        await http(app, { as: admin })
          .post(API)
          .send({ ...body, service_name: 'Bad Name' }), // 400
        await http(app, { as: admin })
          .post(API)
          .send({ ...body, tenant_id: newTenantId() }), // 403
        await http(app, { token: null }).post(API).send(body), // 401
        await http(app, { as: { tenantId: tenant, roles: ['tenant-viewer'] } })
          .post(API)
          .send(body), // 403
        await http(app, { as: admin })
          .post(API)
          .set('Content-Type', 'application/json')
          .send(`{"tenant_id":"${tenant}","config":{"client_secret":"${secret}"`), // malformed
        await http(app, { as: admin })
          .post(API)
          .send({
            ...body,
            config: { ...body.config, additional_data: { pad: secret.repeat(3000) } },
          }), // 413
        await http(app, { as: admin }).get(`${API}/not-a-uuid`),
        await http(app, { as: { tenantId: newTenantId(), roles: ['tenant-admin'] } }).get(item), // 404
        // The service's schema refuses these configs (400): the refusal must not echo the secret,
        // whether it sits in a secret field or where a public one was expected.
        await http(app, { as: admin })
          .post(API)
          .send({ ...body, config: { ...body.config, client_id: secret } }),
        await http(app, { as: admin })
          .post(API)
          .send({
            ...body,
            config: { ...body.config, tenant_id: undefined, client_secret: 42 },
          }),
        await http(app, { as: admin })
          .put(item)
          .send({ config: { additional_data: { redirect_uri: secret, mailbox: refresh } } }),
      ];
      exercised.forEach(keep);
      expect(exercised.map((res) => res.status)).toEqual([
        200, 200, 200, 200, 412, 400, 200, 200, 409, 400, 403, 401, 403, 400, 413, 400, 404, 400,
        400, 400,
      ]);

      for (const leaked of [secret, refresh, rotated].flatMap(formsOf)) {
        for (const answer of answers) expect(answer).not.toContain(leaked);
      }

      const logs = readFileSync(logFile, 'utf8');
      // The log really recorded the traffic (so the check below can fail) ...
      expect(logs.split('\n').filter((line) => line.includes('"req"')).length).toBeGreaterThan(10);
      // ... and none of it carries the secret or the bearer tokens' signatures.
      for (const leaked of [secret, refresh, rotated].flatMap(formsOf)) {
        expect(logs).not.toContain(leaked);
      }
      expect(logs).not.toMatch(/Bearer ey/);

      const db = await connectDatabase();
      try {
        const rows = await db.query(
          `SELECT p.*, k.wrapped_key, k.wrap_iv, k.wrap_auth_tag, k.master_key_id
           FROM service_platforms p JOIN tenant_data_keys k ON k.id = p.data_key_id
          WHERE p.tenant_id = $1`,
          [tenant],
        );
        expect(rows.rows).toHaveLength(1);
        const dump = rows.rows
          .flatMap((row: Record<string, unknown>) => Object.values(row))
          .map((value) =>
            Buffer.isBuffer(value)
              ? `${value.toString('utf8')} ${value.toString('hex')}`
              : String(value),
          )
          .join(' ');
        for (const leaked of [secret, refresh, rotated, guidOf('canary-client')].flatMap(formsOf)) {
          expect(dump).not.toContain(leaked);
        }
      } finally {
        await db.end();
      }
    });
  });
}
