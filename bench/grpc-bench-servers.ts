// The two servers the gRPC benchmark compares, each in a child process of its own so that the
// load generator does not share their event loop:
//   app  - the built demo app (dist/, `npm run build`), started as main.ts starts it, but on
//          127.0.0.1 only: REST and gRPC in one process, real PostgreSQL, JWT, CASL, decryption;
//   bare - a bare @grpc/grpc-js server loading the committed .proto, whose GetPlatform answers a
//          fixed message (the app's own answer, handed over by the benchmark).
// Each reports `{ ready: true, port }` to its parent over IPC. Not a test; see BENCHMARKS.md.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceClientConstructor,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { SERVICE_PLATFORM_PROTO_LOADER_OPTIONS } from '../src/service-platform/interface/grpc/service-platform.grpc-options';

const ROOT = join(__dirname, '..');
const PROTO = join(ROOT, 'src', 'service-platform', 'interface', 'grpc', 'service_platform.proto');
// The bare server loads the proto exactly as the app does.
const LOADER_OPTIONS = SERVICE_PLATFORM_PROTO_LOADER_OPTIONS;

function report(message: object): void {
  if (process.send === undefined) console.log(JSON.stringify(message));
  else process.send(message);
}

async function startApp(grpcPort: number): Promise<void> {
  // The compiled app, exactly what `node dist/main.js` runs.
  const load = createRequire(__filename);
  const { createApp } = load(
    join(ROOT, 'dist', 'bootstrap.js'),
  ) as typeof import('../src/bootstrap');
  const app = await createApp('fastify', { grpcUrl: `127.0.0.1:${grpcPort}` });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  report({ ready: true, port: grpcPort });
  process.on('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
  process.on('message', (message: { profile?: 'start' | 'stop'; file?: string }) => {
    if (message.profile === 'start') void startProfile();
    if (message.profile === 'stop' && message.file !== undefined) void stopProfile(message.file);
  });
}

/** CPU profile of a window of the run (the loaded phases), via the inspector. */
const session = new Session();

function post<T>(method: string): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, (error, result) =>
      error === null ? resolve(result as T) : reject(error),
    );
  });
}

async function startProfile(): Promise<void> {
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.start');
  report({ profiling: true });
}

async function stopProfile(file: string): Promise<void> {
  const { profile } = await post<{ profile: object }>('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  report({ profiled: file });
}

async function startBare(grpcPort: number, answer: object): Promise<void> {
  const definition = loadPackageDefinition(loadSync(PROTO, LOADER_OPTIONS));
  const Service = (
    (definition.serviceplatform as Record<string, unknown>).v1 as Record<string, unknown>
  ).PlatformService as ServiceClientConstructor;
  const server = new Server();
  server.addService(Service.service, {
    GetPlatform: (_call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => {
      callback(null, answer);
    },
  });
  await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${grpcPort}`, ServerCredentials.createInsecure(), (error, port) =>
      error === null ? resolve(port) : reject(error),
    );
  });
  report({ ready: true, port: grpcPort });
  process.on('SIGTERM', () => {
    server.tryShutdown(() => process.exit(0));
  });
}

const [mode, port] = [process.argv[2], Number(process.argv[3])];
const started =
  mode === 'app'
    ? startApp(port)
    : mode === 'bare'
      ? startBare(port, JSON.parse(process.env.BENCH_ANSWER ?? '{}') as object)
      : Promise.reject(new Error('usage: grpc-bench-servers.ts app|bare <port>'));
started.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
