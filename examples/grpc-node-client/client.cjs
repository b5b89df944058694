#!/usr/bin/env node
// A Node gRPC client of the module's PlatformService: registers a platform, reads it back and
// lists the tenant's platforms. Needs the app running (`npm start`) and a token:
//   T=$(node -p "crypto.randomUUID()")
//   TOKEN=$(npm run -s token -- --tenant "$T" --role tenant-admin) TENANT="$T" \
//     GRPC_ADDRESS=localhost:5000 node examples/grpc-node-client/client.cjs
'use strict';

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
// The package's own helpers (this repository: its built dist/; your app: `npm install` it).
const { SERVICE_PLATFORM_PROTO_PATH, fromStruct, toStruct } = require('service-platform');

const address = process.env.GRPC_ADDRESS ?? 'localhost:5000';
const tenant = process.env.TENANT;
const token = process.env.TOKEN;
if (!tenant || !token) {
  console.error(
    'Set TENANT (a UUID) and TOKEN (npm run -s token -- --tenant "$TENANT" --role tenant-admin)',
  );
  process.exit(2);
}

const definition = protoLoader.loadSync(SERVICE_PLATFORM_PROTO_PATH, { keepCase: true });
const { PlatformService } = grpc.loadPackageDefinition(definition).serviceplatform.v1;
const client = new PlatformService(address, grpc.credentials.createInsecure());

function call(rpc, request) {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) =>
    client[rpc](request, metadata, (error, reply) => (error ? reject(error) : resolve(reply))),
  );
}

async function main() {
  const registered = await call('RegisterPlatform', {
    tenant_id: tenant,
    service_name: 'hubspot',
    config: {
      client_id: '5d9a0a3e-2f4b-4c6d-8e1f-0a1b2c3d4e5f',
      client_secret: 'hubspot-client-secret',
      // A google.protobuf.Struct: a plain object here would silently vanish on the wire.
      additional_data: toStruct({ hub_id: '12345678', scopes: ['crm.objects.contacts.read'] }),
    },
  });
  const id = registered.platform.id;
  console.log(`registered ${id}: ${registered.message}`);
  const platform = await call('GetPlatform', { platform_id: id });
  console.log('config:', JSON.stringify(fromStruct(platform.config)));
  const page = await call('ListPlatforms', { tenant_id: tenant });
  console.log(`the tenant has ${page.platforms.length} platform(s)`);
}

main()
  .catch((error) => {
    const code = error.metadata?.get('error-code')[0];
    console.error(`failed: ${error.message}${code ? ` (${code})` : ''}`);
    process.exitCode = 1;
  })
  .finally(() => client.close());
