import { generateKeyPairSync } from 'node:crypto';
import { UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
// The module's reader of request.user (internal: this test pins the host/module hand-over).
import {
  actorFromUser,
  resolveRequestActor,
} from '../service-platform/interface/authz/request-actor';
import { JwtAuthGuard } from './jwt-auth.guard';
import { Public } from './public.decorator';
import { rateLimitTracker } from './tenant-throttler.guard';
import type { RpcMetadataLike } from './token-extraction';

const SECRET = 'unit-test-secret-0123456789abcdefghijklmnop';
const TENANT = '0b5e5bd6-6c43-4c0b-9d1e-1c1f3f9a2b10';
const signer = new JwtService({ secret: SECRET });

class Routes {
  protected(): void {}
  @Public()
  open(): void {}
}
@Public()
class OpenRoutes {
  anything(): void {}
}

interface FakeHttp {
  request: { headers: Record<string, string>; user?: unknown };
  response: { headers: Record<string, string>; header(name: string, value: string): void };
}

function http(
  authorization?: string,
  handler: keyof Routes = 'protected',
): FakeHttp & {
  context: ExecutionContext;
} {
  const request: FakeHttp['request'] = {
    headers: authorization === undefined ? {} : { authorization },
  };
  const response: FakeHttp['response'] = {
    headers: {},
    header(name, value) {
      this.headers[name] = value;
    },
  };
  const context = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    getArgByIndex: (i: number) => [request, response][i],
  } as unknown as ExecutionContext;
  return { request, response, context };
}

function rpc(authorization?: string): {
  metadata: RpcMetadataLike & { user?: unknown };
  context: ExecutionContext;
} {
  const metadata: RpcMetadataLike & { user?: unknown } = {
    get: (key) => (key === 'authorization' && authorization !== undefined ? [authorization] : []),
  };
  const call = {};
  const context = {
    getType: () => 'rpc',
    getHandler: () => Routes.prototype.protected,
    getClass: () => Routes,
    switchToRpc: () => ({ getData: () => ({}), getContext: () => metadata }),
    getArgByIndex: (i: number) => [{}, metadata, call][i],
  } as unknown as ExecutionContext;
  return { metadata, context };
}

function guard(requireExpiry = false): JwtAuthGuard {
  const jwt = new JwtService({ secret: SECRET, verifyOptions: { algorithms: ['HS256'] } });
  return new JwtAuthGuard(jwt, new Reflector(), { requireExpiry });
}

const admin = { sub: 'root', roles: ['platform-admin'] };
const viewer = { sub: 'val', tenant_id: TENANT, roles: ['tenant-viewer'] };
const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The 401 message `run` is refused with. */
async function refusal(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthorizedException);
  return (error as UnauthorizedException).message;
}

describe('JwtAuthGuard', () => {
  it('http: a valid token becomes request.user = {sub, tenant_id, roles}', async () => {
    const { request, context } = http(
      `Bearer ${signer.sign({ ...viewer, roles: ['tenant-viewer', 'x'] }, { expiresIn: 60 })}`,
    );
    await expect(guard().canActivate(context)).resolves.toBe(true);
    expect(request.user).toEqual(viewer);
  });

  it('rpc: the same token from metadata `authorization` becomes the RPC context user', async () => {
    const { metadata, context } = rpc(`Bearer ${signer.sign(admin, { expiresIn: 60 })}`);
    await expect(guard().canActivate(context)).resolves.toBe(true);
    expect(metadata.user).toEqual(admin);
  });

  it('what the guard leaves is what the module reads, on both transports', async () => {
    const token = `Bearer ${signer.sign({ ...viewer, tenant_id: TENANT.toUpperCase() })}`;
    const expected = { id: 'val', tenantId: TENANT, roles: ['tenant-viewer'] };
    const overHttp = http(token).context;
    await guard().canActivate(overHttp);
    await expect(resolveRequestActor(overHttp, actorFromUser)).resolves.toEqual(expected);
    const overRpc = rpc(token).context;
    await guard().canActivate(overRpc);
    await expect(resolveRequestActor(overRpc, actorFromUser)).resolves.toEqual(expected);
  });

  it('rpc: no metadata → 401', async () => {
    expect(await refusal(guard().canActivate(rpc().context))).toBe('Missing bearer token');
  });

  it('@Public() routes and controllers pass without a token (and leave no user)', async () => {
    const open = http(undefined, 'open');
    await expect(guard().canActivate(open.context)).resolves.toBe(true);
    expect(open.request.user).toBeUndefined();
    const context = {
      ...http().context,
      getHandler: () => OpenRoutes.prototype.anything,
      getClass: () => OpenRoutes,
    } as ExecutionContext;
    await expect(guard().canActivate(context)).resolves.toBe(true);
  });

  it('no token → 401 with a Bearer challenge', async () => {
    const { response, context, request } = http();
    expect(await refusal(guard().canActivate(context))).toBe('Missing bearer token');
    expect(response.headers['WWW-Authenticate']).toBe('Bearer realm="service-platform"');
    expect(request.user).toBeUndefined();
  });

  it('a malformed header → 401 invalid_request', async () => {
    const { response, context } = http('Basic YTpi');
    expect(await refusal(guard().canActivate(context))).toMatch(/Malformed Authorization header/);
    expect(response.headers['WWW-Authenticate']).toBe(
      'Bearer realm="service-platform", error="invalid_request"',
    );
  });

  it.each([
    ['another secret', () => new JwtService({ secret: `${SECRET}x` }).sign(admin)],
    ['HS512', () => signer.sign(admin, { algorithm: 'HS512' })],
    ['HS384', () => signer.sign(admin, { algorithm: 'HS384' })],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(admin)}.`],
    [
      'RS256',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return new JwtService({
          privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        }).sign(admin, { algorithm: 'RS256' });
      },
    ],
    [
      'a payload swapped under a valid signature',
      () => {
        const [header, , signature] = signer.sign(viewer).split('.');
        return `${header}.${b64(admin)}.${signature}`;
      },
    ],
    ['nbf in the future', () => signer.sign(admin, { notBefore: 3600 })],
  ])('%s → 401 invalid_token', async (_name, token) => {
    const { response, context, request } = http(`Bearer ${token()}`);
    expect(await refusal(guard().canActivate(context))).toBe('Invalid token');
    expect(response.headers['WWW-Authenticate']).toBe(
      'Bearer realm="service-platform", error="invalid_token"',
    );
    expect(request.user).toBeUndefined();
  });

  it('expired → 401 "Token expired"; 5 s of clock skew are tolerated', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = signer.sign({ ...admin, exp: now - 60 });
    expect(await refusal(guard().canActivate(http(`Bearer ${expired}`).context))).toBe(
      'Token expired',
    );
    const skewed = signer.sign({ ...admin, exp: now - 2 });
    await expect(guard().canActivate(http(`Bearer ${skewed}`).context)).resolves.toBe(true);
  });

  it('a token it has verified before is refused once it expires (the verified-token cache)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const start = Date.UTC(2026, 0, 1);
      jest.setSystemTime(start);
      const once = guard();
      const token = signer.sign({ ...viewer, exp: start / 1000 + 30 });
      const first = http(`Bearer ${token}`);
      await expect(once.canActivate(first.context)).resolves.toBe(true);
      const again = http(`Bearer ${token}`);
      await expect(once.canActivate(again.context)).resolves.toBe(true);
      expect(again.request.user).toEqual(first.request.user);

      jest.setSystemTime(start + 40_000); // past exp and the 5 s of skew
      expect(await refusal(once.canActivate(http(`Bearer ${token}`).context))).toBe(
        'Token expired',
      );
    } finally {
      jest.useRealTimers();
    }
  });

  it('exp: required when requireExpiry (production), optional otherwise', async () => {
    const forever = `Bearer ${signer.sign(admin)}`;
    await expect(guard(false).canActivate(http(forever).context)).resolves.toBe(true);
    expect(await refusal(guard(true).canActivate(http(forever).context))).toBe(
      'Token has no expiry (exp)',
    );
    const expiring = `Bearer ${signer.sign(admin, { expiresIn: 60 })}`;
    await expect(guard(true).canActivate(http(expiring).context)).resolves.toBe(true);
  });

  it.each([
    ['no sub', { roles: ['platform-admin'] }, /no subject/],
    ['a tenant role without tenant', { sub: 'a', roles: ['tenant-admin'] }, /no tenant_id/],
    ['a malformed tenant', { sub: 'a', tenant_id: 'x', roles: ['tenant-admin'] }, /UUID/],
    ['roles not an array', { sub: 'a', roles: 'platform-admin' }, /roles must be an array/],
  ])('verified but %s → 401 with the reason', async (_name, claims, reason) => {
    const { context, request } = http(`Bearer ${signer.sign(claims)}`);
    expect(await refusal(guard().canActivate(context))).toMatch(reason);
    expect(request.user).toBeUndefined();
  });

  it('never echoes the token in its message', async () => {
    const token = signer.sign({ sub: 'a', roles: ['tenant-admin'] });
    expect(await refusal(guard().canActivate(http(`Bearer ${token}`).context))).not.toContain(
      token.split('.')[1],
    );
  });
});

describe('rateLimitTracker', () => {
  it('counts by tenant, else by actor, else by address', () => {
    expect(rateLimitTracker({ user: { sub: 'a', tenant_id: TENANT }, ip: '1.2.3.4' })).toBe(
      `tenant:${TENANT}`,
    );
    expect(rateLimitTracker({ user: { sub: 'root' }, ip: '1.2.3.4' })).toBe('sub:root');
    expect(rateLimitTracker({ ip: '1.2.3.4' })).toBe('ip:1.2.3.4');
    expect(rateLimitTracker({})).toBe('ip:unknown');
  });

  it('a sub that looks like a tenant cannot share a tenant budget', () => {
    expect(rateLimitTracker({ user: { sub: `tenant:${TENANT}` } })).not.toBe(`tenant:${TENANT}`);
  });
});
