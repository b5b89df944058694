import { loadSync } from '@grpc/proto-loader';
import {
  fromStruct,
  SERVICE_PLATFORM_PROTO_LOADER_OPTIONS,
  SERVICE_PLATFORM_PROTO_PATH,
  toStruct,
} from '../../../src/service-platform';

/** RegisterPlatformRequest as a Node client encodes it and the server decodes it. */
function overTheWire(request: object): { config: { additional_data?: unknown } } {
  // The loader options a client would likely use (proto-loader's defaults, keepCase on).
  const definition = loadSync(SERVICE_PLATFORM_PROTO_PATH, { keepCase: true });
  const rpc = (
    definition['serviceplatform.v1.PlatformService'] as unknown as Record<
      string,
      { requestSerialize(v: object): Buffer }
    >
  ).RegisterPlatform;
  const server = loadSync(SERVICE_PLATFORM_PROTO_PATH, {
    ...SERVICE_PLATFORM_PROTO_LOADER_OPTIONS,
  });
  const decode = (
    server['serviceplatform.v1.PlatformService'] as unknown as Record<
      string,
      { requestDeserialize(b: Buffer): { config: { additional_data?: unknown } } }
    >
  ).RegisterPlatform;
  return decode!.requestDeserialize(rpc!.requestSerialize(request));
}

const data = {
  redirect_uri: 'https://app.example.com/cb',
  scopes: ['mail.read', 'offline_access'],
  retries: 3,
  sandbox: false,
  nested: { region: 'eu', none: null },
};

describe('toStruct / fromStruct (Node gRPC clients)', () => {
  const request = (additional_data: unknown) => ({
    tenant_id: '0b5e5bd6-6c43-4c0b-9d1e-1c1f3f9a2b10',
    service_name: 'outlook',
    config: { client_id: 'c', client_secret: 's', additional_data },
  });

  it('a plain object for a Struct field vanishes on the wire (why the helpers exist)', () => {
    const decoded = overTheWire(request(data));
    expect(fromStruct(decoded.config.additional_data as never)).toEqual({});
  });

  it('toStruct survives the wire, and fromStruct gives the object back', () => {
    const decoded = overTheWire(request(toStruct(data)));
    expect(fromStruct(decoded.config.additional_data as never)).toEqual(data);
  });

  it('leaves out undefined values and refuses what JSON cannot hold', () => {
    expect(fromStruct(toStruct({ a: 1, b: undefined }))).toEqual({ a: 1 });
    expect(() => toStruct({ n: Number.NaN })).toThrow(/not a finite number/);
    expect(() => toStruct({ f: () => 1 })).toThrow(/function, which JSON cannot hold/);
    expect(() => toStruct({ big: 10n })).toThrow(TypeError);
  });

  it('keeps a __proto__ key a key, never a prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const back = fromStruct(toStruct(hostile));
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fromStruct of nothing is an empty object', () => {
    expect(fromStruct(undefined)).toEqual({});
    expect(fromStruct(null)).toEqual({});
  });
});
