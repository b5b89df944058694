// The host app against a real PostgreSQL (DATABASE_URL, migrated: the host's tables in public,
// the module's in service_platform) with the package installed from its packed tarball.
// Run by the repository's CI through scripts/example-host-app.cjs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createServer } from 'node:net';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { INestApplication } from '@nestjs/common';
import {
  fromStruct,
  SERVICE_PLATFORM_GRPC_PACKAGE,
  SERVICE_PLATFORM_PROTO_PATH,
  toStruct,
} from 'service-platform';
import { PlatformActivityHandler } from '../src/activity/platform-activity.handler';
import { hashApiKey } from '../src/auth/api-key.guard';
import { HostDatabase } from '../src/database/host-database';
import { startHostApp } from '../src/host-app';

const ORGANISATION = randomUUID();
const WRITER_KEY = `writer-${randomUUID()}`;
const READER_KEY = `reader-${randomUUID()}`;
const OUTLOOK = {
  client_id: '6731de76-14a6-49ae-97bc-6eba6914391e',
  client_secret: `canary-${randomUUID()}`,
  tenant_id: 'contoso.onmicrosoft.com',
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Running {
  app: INestApplication;
  http: string;
  grpc: string;
}

async function start(platformHttp: boolean): Promise<Running> {
  const grpc = `127.0.0.1:${await freePort()}`;
  const app = await startHostApp({ grpcUrl: grpc, httpPort: 0, platformHttp });
  return { app, http: await app.getUrl(), grpc };
}

async function call(
  running: Running,
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${running.http.replace('[::1]', '127.0.0.1')}${path}`, {
    method,
    headers: {
      ...(key !== undefined && { 'x-api-key': key }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** A client of the module's gRPC PlatformService, with the host's API key in the metadata. */
function grpcClient(address: string) {
  const definition = loadSync(SERVICE_PLATFORM_PROTO_PATH, { keepCase: true, defaults: false });
  const pkg = loadPackageDefinition(definition) as any;
  const Service = pkg[SERVICE_PLATFORM_GRPC_PACKAGE.split('.')[0]!][
    SERVICE_PLATFORM_GRPC_PACKAGE.split('.')[1]!
  ].PlatformService as ServiceClientConstructor;
  const client = new Service(address, credentials.createInsecure());
  const invoke = (rpc: string, request: object, key: string): Promise<any> => {
    const metadata = new Metadata();
    metadata.set('x-api-key', key);
    return new Promise((resolve, reject) =>
      (client as any)[rpc](request, metadata, (error: ServiceError | null, reply: unknown) =>
        error ? reject(error) : resolve(reply),
      ),
    );
  };
  return { invoke, close: () => client.close() };
}

async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('host app with the Service Platform package', () => {
  let running: Running;
  let database: HostDatabase;
  let platformId: string;

  before(async () => {
    running = await start(true);
    database = running.app.get(HostDatabase);
    await database.prisma.apiClient.createMany({
      data: [
        {
          id: randomUUID(),
          name: 'writer',
          keyHash: hashApiKey(WRITER_KEY),
          organisationId: ORGANISATION,
          canWrite: true,
        },
        {
          id: randomUUID(),
          name: 'reader',
          keyHash: hashApiKey(READER_KEY),
          organisationId: ORGANISATION,
          canWrite: false,
        },
      ],
    });
  });

  after(async () => {
    await running?.app.close();
  });

  it('register → get over REST, with the host API key mapped to the actor', async () => {
    const created = await call(running, 'POST', '/platforms', WRITER_KEY, {
      tenant_id: ORGANISATION,
      service_name: 'outlook',
      config: OUTLOOK,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    platformId = created.body.platform.id;
    const read = await call(running, 'GET', `/platforms/${platformId}`, READER_KEY);
    assert.equal(read.status, 200);
    assert.equal(read.body.config.client_id, OUTLOOK.client_id);
    assert.notEqual(read.body.config.client_secret, OUTLOOK.client_secret);
    // A reader may not write; no key at all is refused by the host's own guard.
    const refused = await call(running, 'POST', '/platforms', READER_KEY, {
      tenant_id: ORGANISATION,
      service_name: 'gmail',
      config: OUTLOOK,
    });
    assert.equal(refused.status, 403);
    assert.equal((await call(running, 'GET', `/platforms/${platformId}`, undefined)).status, 401);
  });

  it("the host's own @EventsHandler receives the registration once, after commit", async () => {
    await eventually(
      async () => (await database.prisma.platformActivity.count({ where: { platformId } })) === 1,
    );
    const callsNow = PlatformActivityHandler.calls;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(PlatformActivityHandler.calls, callsNow, 'no second delivery');
    assert.equal(callsNow, 1);
  });

  it('the audit trail has the registration, by the host client', async () => {
    await eventually(async () => {
      const audit = await call(running, 'GET', `/platforms/${platformId}/audit`, WRITER_KEY);
      return audit.status === 200 && audit.body.entries?.length === 1;
    });
    const audit = await call(running, 'GET', `/platforms/${platformId}/audit`, WRITER_KEY);
    const [entry] = audit.body.entries;
    assert.equal(entry.action, 'registered');
    assert.match(entry.actor_id, /^api-client:/);
    assert.ok(!JSON.stringify(audit.body).includes(OUTLOOK.client_secret));
  });

  it('gRPC calls work, with the host API key in the metadata and Structs built by toStruct', async () => {
    const client = grpcClient(running.grpc);
    try {
      const got = await client.invoke('GetPlatform', { platform_id: platformId }, READER_KEY);
      assert.equal(got.id, platformId);
      const additional = { redirect_uri: 'https://host.example.com/cb', scopes: ['Mail.Read'] };
      const updated = await client.invoke(
        'UpdatePlatform',
        { platform_id: platformId, config: { additional_data: toStruct(additional) } },
        WRITER_KEY,
      );
      assert.deepEqual(fromStruct(updated.config).additional_data, additional);
      await assert.rejects(
        client.invoke('GetPlatform', { platform_id: platformId }, 'not-a-key'),
        (error: ServiceError) => error.code === 16, // UNAUTHENTICATED
      );
    } finally {
      client.close();
    }
  });

  it("the host's own route uses the facade", async () => {
    const connected = await call(running, 'GET', '/integrations/connected', READER_KEY);
    assert.equal(connected.status, 200);
    assert.deepEqual(connected.body.services, ['outlook']);
  });

  it('with http.enabled=false the routes are 404 and the facade (and gRPC) still work', async () => {
    await running.app.close();
    running = await start(false);
    database = running.app.get(HostDatabase);
    assert.equal((await call(running, 'GET', `/platforms/${platformId}`, READER_KEY)).status, 404);
    const posted = await call(running, 'POST', '/platforms', WRITER_KEY, {
      tenant_id: ORGANISATION,
      service_name: 'gmail',
      config: OUTLOOK,
    });
    assert.equal(posted.status, 404);
    const connected = await call(running, 'GET', '/integrations/connected', READER_KEY);
    assert.deepEqual(connected.body.services, ['outlook']);
    const client = grpcClient(running.grpc);
    try {
      const got = await client.invoke('GetPlatform', { platform_id: platformId }, READER_KEY);
      assert.equal(got.id, platformId);
    } finally {
      client.close();
    }
  });
});
