// A real @grpc/grpc-js client of the demo app, loading the COMMITTED .proto (not the server's
// copy of it): what a gRPC user of the API does. Not a test file.
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  status as GrpcStatus,
  type Client,
  type ClientDuplexStream,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { platformAdminToken, tokenFor, type TokenRequest } from './auth';

/** The committed proto, as gRPC users get it from the repository. */
export const COMMITTED_PROTO = join(
  __dirname,
  '..',
  '..',
  'src',
  'service-platform',
  'interface',
  'grpc',
  'service_platform.proto',
);

/** What a typical Node client would use: proto field names, presence kept, enums as names. */
export const CLIENT_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
};

export const RPC_METHODS = [
  'RegisterPlatform',
  'GetPlatform',
  'UpdatePlatform',
  'DeactivatePlatform',
  'ActivatePlatform',
  'ListPlatforms',
  'ResolveCredentials',
  'ListServices',
  'GetService',
] as const;
export type RpcMethod = (typeof RPC_METHODS)[number];

/** gRPC status names by number (`0` → `OK`), for readable assertions. */
export const STATUS_NAME: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(GrpcStatus)
    .filter(([, value]) => typeof value === 'number')
    .map(([name, value]) => [value as number, name]),
);

function grpcObject(protoPath: string, options: Options = CLIENT_LOADER_OPTIONS): GrpcObject {
  return loadPackageDefinition(loadSync(protoPath, options));
}

function serviceConstructor(root: GrpcObject, path: string): ServiceClientConstructor {
  let node: unknown = root;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ServiceClientConstructor;
}

export type PlatformServiceClient = Client & Record<RpcMethod, unknown>;

export function createPlatformClient(address: string): PlatformServiceClient {
  const Service = serviceConstructor(
    grpcObject(COMMITTED_PROTO),
    'serviceplatform.v1.PlatformService',
  );
  return new Service(address, credentials.createInsecure()) as unknown as PlatformServiceClient;
}

export interface CallOptions {
  /** Bearer token to send; `null` sends no `authorization` metadata. Default: platform admin. */
  token?: string | null;
  /** Send a token made for these claims instead (see `tokenFor`). */
  as?: TokenRequest;
  /** Raw `authorization` metadata value (to test malformed values). */
  authorization?: string;
  deadlineMs?: number;
}

/** The outcome of one call: `code` 0 (OK) with `value`, or the error with its trailers decoded. */
export interface RpcOutcome<T> {
  code: number;
  /** `STATUS_NAME[code]`, e.g. `OK`, `NOT_FOUND`. */
  status: string;
  value?: T;
  error?: ServiceError;
  /** Trailer `error-code` (the module's error code). */
  errorCode?: string;
  /** Decoded `grpc-status-details-bin`. */
  rich?: DecodedStatus;
}

/** Calls one unary RPC; never rejects (the outcome says what happened). */
export function callRpc<T = Record<string, unknown>>(
  client: PlatformServiceClient,
  method: RpcMethod,
  request: object,
  options: CallOptions = {},
): Promise<RpcOutcome<T>> {
  const metadata = new Metadata();
  const authorization =
    options.authorization ??
    (options.as !== undefined
      ? `Bearer ${tokenFor(options.as)}`
      : options.token === null
        ? undefined
        : `Bearer ${options.token ?? platformAdminToken()}`);
  if (authorization !== undefined) metadata.set('authorization', authorization);
  const fn = client[method] as (
    request: object,
    metadata: Metadata,
    options: { deadline: Date },
    callback: (error: ServiceError | null, value?: T) => void,
  ) => void;
  return new Promise((resolve) => {
    fn.call(
      client,
      request,
      metadata,
      { deadline: new Date(Date.now() + (options.deadlineMs ?? 10_000)) },
      (error, value) => {
        if (error === null) {
          resolve({ code: GrpcStatus.OK, status: 'OK', ...(value !== undefined && { value }) });
          return;
        }
        const errorCode = error.metadata?.get('error-code')[0];
        const details = error.metadata?.get('grpc-status-details-bin')[0];
        resolve({
          code: error.code,
          status: STATUS_NAME[error.code] ?? String(error.code),
          error,
          ...(typeof errorCode === 'string' && { errorCode }),
          ...(Buffer.isBuffer(details) && { rich: decodeStatusDetails(details) }),
        });
      },
    );
  });
}

/** Like `callRpc`, but expects OK and returns the answer. */
export async function callOk<T = Record<string, unknown>>(
  client: PlatformServiceClient,
  method: RpcMethod,
  request: object,
  options: CallOptions = {},
): Promise<T> {
  const outcome = await callRpc<T>(client, method, request, options);
  if (outcome.status !== 'OK') {
    throw new Error(
      `${method} failed: ${outcome.status} ${outcome.errorCode ?? ''} ${outcome.error?.details ?? ''}`,
    );
  }
  return outcome.value as T;
}

// ---- google.protobuf.Struct (a separate implementation from the server's, on purpose) -------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Struct {
  fields?: Record<string, Value>;
}
export interface Value {
  kind?: string;
  nullValue?: string | number;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: Struct;
  listValue?: { values?: Value[] };
}

export function toStruct(object: Record<string, unknown>): Struct {
  const fields: Record<string, Value> = {};
  for (const [key, value] of Object.entries(object)) {
    Object.defineProperty(fields, key, { value: toValue(value), enumerable: true });
  }
  return { fields };
}

function toValue(value: unknown): Value {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'object') return { structValue: toStruct(value as Record<string, unknown>) };
  throw new Error(`not JSON: ${typeof value}`);
}

export function fromStruct(struct: Struct | undefined): Record<string, Json> {
  const object: Record<string, Json> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) object[key] = fromValue(value);
  return object;
}

function fromValue(value: Value): Json {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.numberValue !== undefined) return value.numberValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.structValue !== undefined) return fromStruct(value.structValue);
  if (value.listValue !== undefined) return (value.listValue.values ?? []).map(fromValue);
  return null;
}

/**
 * A PlatformResponse message as the REST API's JSON (config Struct → object), so that answers
 * of both transports can be compared with toEqual.
 */
export function platformAsJson(message: Record<string, unknown>): Record<string, unknown> {
  return { ...message, config: fromStruct(message.config as Struct) };
}

// ---- grpc-status-details-bin (google.rpc.Status), decoded by hand -----------------------------

export interface DecodedStatus {
  code: number;
  message: string;
  errorInfo?: { reason: string; domain: string };
  fieldViolations: { field: string; description: string }[];
  typeUrls: string[];
}

type WireField = { field: number; value: number | Buffer };

function readFields(buffer: Buffer): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = buffer[offset++] as number;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (offset < buffer.length) {
    const key = varint();
    const wireType = key & 7;
    const field = key >>> 3;
    if (wireType === 0) fields.push({ field, value: varint() });
    else if (wireType === 2) {
      const length = varint();
      fields.push({ field, value: buffer.subarray(offset, offset + length) });
      offset += length;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
  return fields;
}

const text = (value: number | Buffer | undefined): string =>
  Buffer.isBuffer(value) ? value.toString('utf8') : '';

export function decodeStatusDetails(buffer: Buffer): DecodedStatus {
  const decoded: DecodedStatus = { code: 0, message: '', fieldViolations: [], typeUrls: [] };
  for (const { field, value } of readFields(buffer)) {
    if (field === 1 && typeof value === 'number') decoded.code = value;
    if (field === 2) decoded.message = text(value);
    if (field === 3 && Buffer.isBuffer(value)) {
      const any = readFields(value);
      const typeUrl = text(any.find((f) => f.field === 1)?.value);
      const payload = any.find((f) => f.field === 2)?.value;
      decoded.typeUrls.push(typeUrl);
      if (!Buffer.isBuffer(payload)) continue;
      if (typeUrl === 'type.googleapis.com/google.rpc.ErrorInfo') {
        const info = readFields(payload);
        decoded.errorInfo = {
          reason: text(info.find((f) => f.field === 1)?.value),
          domain: text(info.find((f) => f.field === 2)?.value),
        };
      }
      if (typeUrl === 'type.googleapis.com/google.rpc.BadRequest') {
        for (const violation of readFields(payload)) {
          const parts = readFields(violation.value as Buffer);
          decoded.fieldViolations.push({
            field: text(parts.find((f) => f.field === 1)?.value),
            description: text(parts.find((f) => f.field === 2)?.value),
          });
        }
      }
    }
  }
  return decoded;
}

// ---- reflection and health ----------------------------------------------------------------------

const REFLECTION_PROTO = join(
  require.resolve('@grpc/reflection/package.json'),
  '..',
  'build',
  'proto',
  'grpc',
  'reflection',
  'v1',
  'reflection.proto',
);

/** The services the server lists through grpc.reflection.v1 (what `grpcurl list` shows). */
export function listServicesByReflection(address: string): Promise<string[]> {
  const Reflection = serviceConstructor(
    grpcObject(REFLECTION_PROTO),
    'grpc.reflection.v1.ServerReflection',
  );
  const client = new Reflection(address, credentials.createInsecure());
  return new Promise<string[]>((resolve, reject) => {
    const stream = (
      client as unknown as { ServerReflectionInfo: () => ClientDuplexStream<object, object> }
    ).ServerReflectionInfo();
    stream.on('data', (response: { list_services_response?: { service?: { name: string }[] } }) => {
      resolve((response.list_services_response?.service ?? []).map((service) => service.name));
      stream.end();
    });
    stream.on('error', reject);
    stream.write({ list_services: '*' });
  }).finally(() => client.close());
}

/** Symbols reflection can describe (the file defining `symbol`, with its dependencies). */
export function fileContainingSymbol(address: string, symbol: string): Promise<string[]> {
  const Reflection = serviceConstructor(
    grpcObject(REFLECTION_PROTO),
    'grpc.reflection.v1.ServerReflection',
  );
  const client = new Reflection(address, credentials.createInsecure());
  return new Promise<string[]>((resolve, reject) => {
    const stream = (
      client as unknown as { ServerReflectionInfo: () => ClientDuplexStream<object, object> }
    ).ServerReflectionInfo();
    stream.on(
      'data',
      (response: {
        file_descriptor_response?: { file_descriptor_proto?: Buffer[] };
        error_response?: { error_message: string };
      }) => {
        if (response.error_response !== undefined) {
          reject(new Error(response.error_response.error_message));
        } else {
          resolve(
            (response.file_descriptor_response?.file_descriptor_proto ?? []).map((proto) =>
              proto.toString('latin1'),
            ),
          );
        }
        stream.end();
      },
    );
    stream.on('error', reject);
    stream.write({ file_containing_symbol: symbol });
  }).finally(() => client.close());
}

/** grpc.health.v1.Health/Check for one service ("" = the whole server). */
export function checkHealth(
  address: string,
  service = '',
): Promise<{ status?: string; error?: ServiceError }> {
  const Health = serviceConstructor(
    grpcObject(healthProtoPath, { ...CLIENT_LOADER_OPTIONS, defaults: true }),
    'grpc.health.v1.Health',
  );
  const client = new Health(address, credentials.createInsecure());
  return new Promise<{ status?: string; error?: ServiceError }>((resolve) => {
    (
      client as unknown as {
        Check: (
          request: object,
          callback: (error: ServiceError | null, value?: { status: string }) => void,
        ) => void;
      }
    ).Check({ service }, (error, value) => {
      resolve(error === null ? { status: value?.status ?? '' } : { error });
    });
  }).finally(() => client.close());
}

/** A TCP port of 127.0.0.1 that was free a moment ago (for the gRPC server of a test app). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
