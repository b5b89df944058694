import { Reflector } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { ExecutionContext, Type } from '@nestjs/common';
import { PATTERN_METADATA, TRANSPORT_METADATA } from '@nestjs/microservices/constants';
import { Transport } from '@nestjs/microservices';
import { loadSync } from '@grpc/proto-loader';
import { COMMITTED_PROTO } from '../../support/grpc-client';
import { ServicePlatformModule } from '../../../src/service-platform';
import type { ServicePlatformModuleOptions } from '../../../src/service-platform';
import { PlatformPoliciesGuard } from '../../../src/service-platform/interface/authz/platform-policies.guard';
import { REQUIRED_PERMISSION } from '../../../src/service-platform/interface/authz/require-permission.decorator';
import {
  PermissionDeniedError,
  UnauthenticatedError,
} from '../../../src/service-platform/domain/platform.errors';

/** The controllers `forRoot()` declares with every transport on. */
function mountedControllers(): Type[] {
  const module = ServicePlatformModule.forRoot({
    database: { url: 'postgresql://unused/db' },
    encryption: { keys: 'unused' },
  });
  return module.controllers ?? [];
}

/** Every route handler of every controller the module mounts. */
function routes(): { controller: Type; name: string; handler: (...args: unknown[]) => unknown }[] {
  const controllers = mountedControllers();
  return controllers.flatMap((controller) => {
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => ({
        controller,
        name,
        handler: prototype[name] as (...a: unknown[]) => unknown,
      }))
      .filter(({ handler }) => Reflect.getMetadata(METHOD_METADATA, handler) !== undefined);
  });
}

/** Every gRPC handler (`@GrpcMethod`) of every controller the module mounts. */
function grpcMethods(): {
  controller: Type;
  name: string;
  handler: (...args: unknown[]) => unknown;
  rpc: string;
}[] {
  const controllers = mountedControllers();
  return controllers.flatMap((controller) => {
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => ({ name, handler: prototype[name] as (...a: unknown[]) => unknown }))
      .filter(
        ({ handler }) =>
          typeof handler === 'function' &&
          Reflect.getMetadata(TRANSPORT_METADATA, handler) === Transport.GRPC,
      )
      .map(({ name, handler }) => {
        const [pattern] = Reflect.getMetadata(PATTERN_METADATA, handler) as {
          service: string;
          rpc: string;
        }[];
        return { controller, name, handler, rpc: `${pattern?.service}.${pattern?.rpc}` };
      });
  });
}

/** The RPCs of the committed .proto: `PlatformService.RegisterPlatform`, ... */
function protoRpcs(): string[] {
  const definition = loadSync(COMMITTED_PROTO, { keepCase: true });
  const service = definition['serviceplatform.v1.PlatformService'] as Record<string, unknown>;
  return Object.keys(service)
    .filter((key) => /^[A-Z]/.test(key))
    .map((rpc) => `PlatformService.${rpc}`);
}

function contextFor(handler: (...args: unknown[]) => unknown, user: unknown): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => Object,
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
  } as unknown as ExecutionContext;
}

describe('route policies', () => {
  it('finds the routes of the module', () => {
    expect(routes().length).toBeGreaterThanOrEqual(6);
  });

  it.each(routes().map((r) => [`${r.controller.name}.${r.name}`, r]))(
    '%s declares the permission it needs',
    (_name, route) => {
      expect(Reflect.getMetadata(PATH_METADATA, route.handler)).toBeDefined();
      expect(Reflect.getMetadata(REQUIRED_PERMISSION, route.handler)).toEqual(expect.any(String));
    },
  );

  it('finds the gRPC methods of the module: one handler per RPC of the committed .proto', () => {
    const rpcs = protoRpcs();
    expect(rpcs).toHaveLength(9);
    expect(
      grpcMethods()
        .map((method) => method.rpc)
        .sort(),
    ).toEqual([...rpcs].sort());
  });

  it.each(grpcMethods().map((m) => [`${m.controller.name}.${m.name} (${m.rpc})`, m]))(
    'gRPC %s declares the permission it needs',
    (_name, method) => {
      expect(Reflect.getMetadata(REQUIRED_PERMISSION, method.handler)).toEqual(expect.any(String));
    },
  );

  it('ResolveCredentials needs the resolve permission', () => {
    const resolve = grpcMethods().find((m) => m.rpc === 'PlatformService.ResolveCredentials');
    expect(Reflect.getMetadata(REQUIRED_PERMISSION, resolve?.handler as object)).toBe('resolve');
  });

  describe('PlatformPoliciesGuard', () => {
    const guard = new PlatformPoliciesGuard(new Reflector(), {} as ServicePlatformModuleOptions);
    const [register] = routes().filter((r) => r.name === 'register');
    const handler = (register as { handler: (...args: unknown[]) => unknown }).handler;
    const tenant = '0b5e5bd6-6c43-4c0b-9d1e-1c1f3f9a2b10';

    it('refuses a request without an authenticated user (401)', async () => {
      await expect(guard.canActivate(contextFor(handler, undefined))).rejects.toThrow(
        UnauthenticatedError,
      );
    });

    it("refuses a role that never allows the route's action (403)", async () => {
      const viewer = { sub: 'v', tenant_id: tenant, roles: ['tenant-viewer'] };
      await expect(guard.canActivate(contextFor(handler, viewer))).rejects.toThrow(
        PermissionDeniedError,
      );
    });

    it('lets a role that may act through (tenant checks follow in the handlers)', async () => {
      const admin = { sub: 'a', tenant_id: tenant, roles: ['tenant-admin'] };
      await expect(guard.canActivate(contextFor(handler, admin))).resolves.toBe(true);
    });

    it('reads the caller from the RPC context on gRPC (401 without it, 403 for a viewer)', async () => {
      const rpc = grpcMethods().find((m) => m.rpc === 'PlatformService.ResolveCredentials');
      const rpcContext = (user: unknown): ExecutionContext =>
        ({
          getType: () => 'rpc',
          getHandler: () => rpc?.handler,
          getClass: () => Object,
          switchToRpc: () => ({ getContext: () => ({ user }) }),
        }) as unknown as ExecutionContext;
      await expect(guard.canActivate(rpcContext(undefined))).rejects.toThrow(UnauthenticatedError);
      const viewer = { sub: 'v', tenant_id: tenant, roles: ['tenant-viewer'] };
      await expect(guard.canActivate(rpcContext(viewer))).rejects.toThrow(PermissionDeniedError);
      const integration = { sub: 'i', tenant_id: tenant, roles: ['integration'] };
      await expect(guard.canActivate(rpcContext(integration))).resolves.toBe(true);
    });

    it('closes a route that declares no permission', async () => {
      const undeclared = function undeclared(): void {};
      const admin = { sub: 'a', roles: ['platform-admin'] };
      await expect(guard.canActivate(contextFor(undeclared, admin))).rejects.toThrow(
        /declares no permission/,
      );
    });
  });
});
