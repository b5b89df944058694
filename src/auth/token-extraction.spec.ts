import type { ExecutionContext } from '@nestjs/common';
import {
  MAX_TOKEN_LENGTH,
  MalformedAuthorizationError,
  attachUser,
  authenticatedUserOf,
  extractBearerToken,
  parseAuthorization,
  tokenFromHttpRequest,
  tokenFromRpcMetadata,
  type RpcMetadataLike,
} from './token-extraction';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';

/** A stand-in for @grpc/grpc-js `Metadata` (not installed): keys are case-insensitive lists. */
class FakeMetadata implements RpcMetadataLike {
  private readonly values = new Map<string, (string | Buffer)[]>();

  add(key: string, value: string | Buffer): this {
    const k = key.toLowerCase();
    this.values.set(k, [...(this.values.get(k) ?? []), value]);
    return this;
  }

  get(key: string): (string | Buffer)[] {
    return [...(this.values.get(key.toLowerCase()) ?? [])];
  }
}

/** A minimal `ExecutionContext` of one transport. */
function httpContext(request: object, response: object = {}): ExecutionContext {
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    switchToRpc: () => {
      throw new Error('not rpc');
    },
    getArgByIndex: (i: number) => [request, response][i],
  } as unknown as ExecutionContext;
}

function rpcContext(metadata: RpcMetadataLike, call: object = {}): ExecutionContext {
  return {
    getType: () => 'rpc',
    switchToHttp: () => {
      throw new Error('not http');
    },
    switchToRpc: () => ({ getData: () => ({}), getContext: () => metadata }),
    getArgByIndex: (i: number) => [{}, metadata, call][i],
  } as unknown as ExecutionContext;
}

describe('parseAuthorization', () => {
  it('reads `Bearer <jwt>`; the scheme is case-insensitive', () => {
    expect(parseAuthorization(`Bearer ${JWT}`)).toBe(JWT);
    expect(parseAuthorization(`bearer ${JWT}`)).toBe(JWT);
    expect(parseAuthorization(`BEARER  ${JWT}`)).toBe(JWT);
    expect(parseAuthorization(` Bearer ${JWT} `)).toBe(JWT);
  });

  it('accepts an unsigned-looking token (empty signature): verification refuses it later', () => {
    expect(parseAuthorization('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.')).toBe(
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.',
    );
  });

  it('no value (or a blank one) is no token', () => {
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(parseAuthorization('')).toBeUndefined();
    expect(parseAuthorization('   ')).toBeUndefined();
  });

  it.each([
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['a token without scheme', JWT],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['not a JWT', 'Bearer opaque-token'],
    ['two parts', 'Bearer aaa.bbb'],
    ['five parts (JWE)', 'Bearer a.b.c.d.e'],
    ['two tokens', `Bearer ${JWT} ${JWT}`],
    ['a comma list', `Bearer ${JWT}, Bearer ${JWT}`],
    ['base64 padding', 'Bearer aaa=.bbb.ccc'],
    ['no separator', `Bearer${JWT}`],
  ])('refuses %s', (_name, value) => {
    expect(() => parseAuthorization(value)).toThrow(MalformedAuthorizationError);
  });

  it(`refuses a token over ${MAX_TOKEN_LENGTH} characters before matching it`, () => {
    const long = `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH)}.b.c`;
    expect(() => parseAuthorization(long)).toThrow('Bearer token is too long');
  });
});

describe('tokenFromHttpRequest', () => {
  it('reads the Authorization header', () => {
    expect(tokenFromHttpRequest({ headers: { authorization: `Bearer ${JWT}` } })).toBe(JWT);
    expect(tokenFromHttpRequest({ headers: {} })).toBeUndefined();
  });

  it('refuses several Authorization values', () => {
    expect(() =>
      tokenFromHttpRequest({ headers: { authorization: [`Bearer ${JWT}`, `Bearer ${JWT}`] } }),
    ).toThrow('More than one Authorization header');
    expect(tokenFromHttpRequest({ headers: { authorization: [`Bearer ${JWT}`] } })).toBe(JWT);
  });
});

describe('tokenFromRpcMetadata', () => {
  it('reads metadata key authorization (string or Buffer value)', () => {
    expect(tokenFromRpcMetadata(new FakeMetadata().add('authorization', `Bearer ${JWT}`))).toBe(
      JWT,
    );
    expect(
      tokenFromRpcMetadata(new FakeMetadata().add('Authorization', Buffer.from(`Bearer ${JWT}`))),
    ).toBe(JWT);
  });

  it('no authorization metadata is no token; other keys are ignored', () => {
    expect(tokenFromRpcMetadata(new FakeMetadata())).toBeUndefined();
    expect(
      tokenFromRpcMetadata(new FakeMetadata().add('x-token', `Bearer ${JWT}`)),
    ).toBeUndefined();
  });

  it('refuses a malformed or repeated value', () => {
    expect(() => tokenFromRpcMetadata(new FakeMetadata().add('authorization', JWT))).toThrow(
      MalformedAuthorizationError,
    );
    const twice = new FakeMetadata()
      .add('authorization', `Bearer ${JWT}`)
      .add('authorization', `Bearer ${JWT}`);
    expect(() => tokenFromRpcMetadata(twice)).toThrow('More than one authorization metadata');
  });
});

describe('extractBearerToken / attachUser', () => {
  const user = { sub: 'alice', roles: ['platform-admin' as const] };

  it('http: the header in, request.user out', () => {
    const request: { headers: Record<string, string>; user?: unknown } = {
      headers: { authorization: `Bearer ${JWT}` },
    };
    const context = httpContext(request);
    expect(extractBearerToken(context)).toBe(JWT);
    attachUser(context, user);
    expect(request.user).toBe(user);
    expect(authenticatedUserOf(context)).toBe(user);
  });

  it('rpc: the metadata in, user on the RPC context (where the module reads it) out', () => {
    const metadata = new FakeMetadata().add('authorization', `Bearer ${JWT}`);
    const context = rpcContext(metadata);
    expect(extractBearerToken(context)).toBe(JWT);
    attachUser(context, user);
    expect((metadata as { user?: unknown }).user).toBe(user);
    expect(context.switchToRpc().getContext<{ user?: unknown }>().user).toBe(user);
    expect(authenticatedUserOf(context)).toBe(user);
  });

  it('ws: no token (not served)', () => {
    const context = { getType: () => 'ws' } as unknown as ExecutionContext;
    expect(extractBearerToken(context)).toBeUndefined();
  });
});
