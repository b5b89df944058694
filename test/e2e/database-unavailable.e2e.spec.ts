import type { INestApplication } from '@nestjs/common';
import type { Test } from 'supertest';
import { canarySecret, GOOGLE_CLIENT_ID, newTenantId, registerBody } from '../support/fixtures';
import { TcpProxy } from '../support/tcp-proxy';
import { PLATFORMS } from '../support/test-app';
import {
  API,
  expectErrorBody,
  expectNoSecret,
  http,
  registerPlatform,
  startListeningApp,
} from './e2e-helpers';

/** The module's default time to get a database connection (ServicePlatformModuleOptions). */
const CONNECTION_TIMEOUT_MS = 5000;
/** The demo app's query timeout for this file: a silent server fails requests after it. */
const QUERY_TIMEOUT_MS = 2000;

interface Answer {
  status: number | string;
  body: unknown;
  text: string;
  ms: number;
}

/** Sends the request; a request still unanswered after `ms` is reported, not left hanging. */
async function answerWithin(req: Test, ms: number): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await req.timeout(ms);
    return { status: res.status, body: res.body, text: res.text, ms: Date.now() - started };
  } catch (error) {
    const status = (error as { timeout?: number }).timeout ? `no answer within ${ms} ms` : 'error';
    return { status, body: undefined, text: String(error), ms: Date.now() - started };
  }
}

describe.each(PLATFORMS)('database unavailable (%s)', (platform) => {
  let proxy: TcpProxy;
  let app: INestApplication;

  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    if (url === undefined) throw new Error('DATABASE_URL is not set (jest globalSetup sets it)');
    proxy = await TcpProxy.start();
    app = await startListeningApp(platform, {
      DATABASE_URL: proxy.rewrite(url),
      DATABASE_POOL_SIZE: '2',
      DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
    });
  });
  afterEach(async () => {
    // Whatever a test did, the database is reachable again for the next one.
    await proxy.open();
  });
  afterAll(async () => {
    await proxy?.open();
    await app?.close();
    await proxy?.close();
  });

  /** After an outage: the first requests may still meet a connection that died; then 200. */
  async function expectRecovered(path: string): Promise<void> {
    let status = 0;
    for (let attempt = 0; attempt < 10 && status !== 200; attempt++) {
      status = (await http(app).get(path)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
  }

  it('database down: every platform endpoint answers 503 SERVICE_UNAVAILABLE, then recovers', async () => {
    const tenant = newTenantId();
    const { platform: created, secret } = await registerPlatform(app, tenant, {
      service_name: 'outlook',
    });
    expect((await http(app).get(`${API}/${created.id}`)).status).toBe(200);
    expect((await http(app).get('/health/ready')).status).toBe(200);

    await proxy.close();

    const newSecret = canarySecret('during-outage');
    const gmail = registerBody(tenant, {
      service_name: 'gmail',
      config: { client_id: GOOGLE_CLIENT_ID, client_secret: newSecret },
    });
    const answers = {
      get: await http(app).get(`${API}/${created.id}`),
      register: await http(app).post(API).send(gmail),
      update: await http(app)
        .put(`${API}/${created.id}`)
        .send({ config: { client_secret: newSecret } }),
      list: await http(app).get(API).query({ tenant_id: tenant }),
      deactivate: await http(app).post(`${API}/${created.id}/deactivate`),
      activate: await http(app).post(`${API}/${created.id}/activate`),
    };
    for (const [name, res] of Object.entries(answers)) {
      expect({ name, status: res.status }).toEqual({ name, status: 503 });
      const error = expectErrorBody(res, 503, 'SERVICE_UNAVAILABLE');
      expect(error.error).toBe('Service Unavailable');
      expect(error.details).toEqual([]);
      expectNoSecret(res, secret, newSecret);
      expect(res.text).not.toMatch(/prisma|ECONNREFUSED|127\.0\.0\.1|postgres/i);
    }

    const live = await http(app).get('/health/live');
    expect(live.status).toBe(200);
    const ready = await http(app).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('error');
    expect(ready.body.details.database.status).toBe('down');
    // The key ring cannot be proven against stored data without the database: not ready either.
    expect(ready.body.details.encryption).toEqual({
      status: 'down',
      message: 'not checked: the database did not answer',
    });
    // The probe needs no token: it names no host, port or driver internals.
    expect(ready.text).not.toMatch(/127\.0\.0\.1|prisma|ECONNREFUSED|invocation/i);
    expect(ready.text).not.toContain(String(proxy.port));

    await proxy.open();

    await expectRecovered(`${API}/${created.id}`);
    const got = await http(app).get(`${API}/${created.id}`);
    // Nothing written during the outage: same version, still active, gmail's slot still free.
    expect(got.body.version).toBe(1);
    expect(got.body.is_active).toBe(true);
    expect((await http(app).post(API).send(gmail)).status).toBe(201);
    const readyAgain = await http(app).get('/health/ready');
    expect(readyAgain.status).toBe(200);
    expect(readyAgain.body.details.database.status).toBe('up');
  });

  it('database not answering new connections: 503 within the connection timeout', async () => {
    const { platform: created } = await registerPlatform(app, newTenantId());
    await proxy.close(); // drops the pooled connections
    await proxy.stall(); // new ones are accepted but never answered

    const [get, ready] = await Promise.all([
      answerWithin(http(app).get(`${API}/${created.id}`), CONNECTION_TIMEOUT_MS + 10_000),
      answerWithin(http(app).get('/health/ready'), CONNECTION_TIMEOUT_MS + 10_000),
    ]);

    expect(get.status).toBe(503);
    expectErrorBody(get, 503, 'SERVICE_UNAVAILABLE');
    expect(get.ms).toBeLessThan(CONNECTION_TIMEOUT_MS + 3000);
    expect(ready.status).toBe(503);
    expect(
      (ready.body as { details: { database: { status: string } } }).details.database.status,
    ).toBe('down');

    await proxy.open();
    await expectRecovered(`${API}/${created.id}`);
  });

  it('database stops answering on an open connection: 503, not a request that hangs', async () => {
    const { platform: created } = await registerPlatform(app, newTenantId());
    // A pooled connection was just used, so the next query goes to it.
    expect((await http(app).get(`${API}/${created.id}`)).status).toBe(200);
    await proxy.stall();

    const get = await answerWithin(http(app).get(`${API}/${created.id}`), 10_000);

    expect(get.status).toBe(503);
    expectErrorBody(get, 503, 'SERVICE_UNAVAILABLE');

    await proxy.open();
    await expectRecovered(`${API}/${created.id}`);
  });
});
