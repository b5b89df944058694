import { join } from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { tolerateMalformedRequests } from './malformed-request';
import type { ServicePlatformGrpcHealth } from './service-platform-grpc-health';

/** The protobuf package of the module's gRPC API. */
export const SERVICE_PLATFORM_GRPC_PACKAGE = 'serviceplatform.v1';

/**
 * Where `service_platform.proto` is at run time: next to this file, in `src/` and (copied by the
 * build) in `dist/`. Clients get the same file from the repository.
 */
export const SERVICE_PLATFORM_PROTO_PATH = join(__dirname, 'service_platform.proto');

/**
 * How the server loads the .proto: field names exactly as written (snake_case), unset fields
 * left out (so `optional` fields and messages keep their presence), enums as names.
 */
export const SERVICE_PLATFORM_PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
} as const;

/** Largest accepted request, as the REST body limit (larger → RESOURCE_EXHAUSTED). */
export const DEFAULT_GRPC_MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024;

export interface ServicePlatformGrpcServerOptions {
  /** `host:port` to listen on, e.g. `0.0.0.0:5000`. */
  url: string;
  /** Serve gRPC server reflection (v1 and v1alpha), so `grpcurl list` works. Default true. */
  reflection?: boolean;
  /** Serve `grpc.health.v1.Health` following the module's readiness. */
  health?: ServicePlatformGrpcHealth;
  /** Default 64 KiB, as the REST body limit. */
  maxReceiveMessageLength?: number;
  /** Another location of `service_platform.proto` (e.g. when the app is bundled). */
  protoPath?: string;
  /**
   * Called with the grpc-js server once it is built, e.g. to `tryShutdown()` it (refuse new
   * calls, finish those in flight) before closing the application: Nest's gRPC transport has no
   * public handle on it.
   */
  onServer?: (server: Server) => void;
  /** Passed through to Nest's gRPC transport (credentials, keepalive, channelOptions...). */
  extra?: Omit<
    GrpcOptions['options'],
    'url' | 'package' | 'protoPath' | 'loader' | 'onLoadPackageDefinition'
  >;
}

/**
 * The options of a gRPC microservice serving the module's `PlatformService`:
 * `app.connectMicroservice(servicePlatformGrpcOptions({ url }), { inheritAppConfig: true })`.
 * `inheritAppConfig` lets the host app's global guards (its authentication) run on gRPC calls.
 * Reflection and health are added to the same server; they are not Nest handlers, so no guard
 * applies to them.
 */
export function servicePlatformGrpcOptions(options: ServicePlatformGrpcServerOptions): GrpcOptions {
  const protoPath = options.protoPath ?? SERVICE_PLATFORM_PROTO_PATH;
  return {
    transport: Transport.GRPC,
    options: {
      maxReceiveMessageLength:
        options.maxReceiveMessageLength ?? DEFAULT_GRPC_MAX_RECEIVE_MESSAGE_BYTES,
      // Closing the server refuses new calls and waits for those in flight (tryShutdown).
      gracefulShutdown: true,
      ...options.extra,
      url: options.url,
      package: SERVICE_PLATFORM_GRPC_PACKAGE,
      protoPath,
      loader: { ...SERVICE_PLATFORM_PROTO_LOADER_OPTIONS },
      onLoadPackageDefinition: (definition: PackageDefinition, server: Server) => {
        tolerateMalformedRequests(definition, `${SERVICE_PLATFORM_GRPC_PACKAGE}.PlatformService`);
        if (options.reflection !== false) {
          new ReflectionService(
            reflectedDefinition(definition, options.health !== undefined),
          ).addToServer(server);
        }
        options.health?.implementation.addToServer(server);
        options.onServer?.(server);
      },
    },
  };
}

/** What reflection describes: the module's service, and the health service when served. */
function reflectedDefinition(
  definition: PackageDefinition,
  withHealth: boolean,
): PackageDefinition {
  if (!withHealth) return definition;
  return { ...definition, ...loadSync(healthProtoPath, SERVICE_PLATFORM_PROTO_LOADER_OPTIONS) };
}
