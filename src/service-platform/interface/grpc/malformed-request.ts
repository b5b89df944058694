import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { PackageDefinition } from '@grpc/proto-loader';
import { RequestValidationError } from '../../domain/platform.errors';

/** What a request that is not a valid protobuf message is decoded as. */
const MALFORMED = Symbol('malformed gRPC request');

interface MethodDefinitionLike {
  requestDeserialize?: (bytes: Buffer) => unknown;
}

/**
 * grpc-js answers a request it cannot decode with INTERNAL ("Error deserializing request"): a
 * server error for a client's mistake. The service's deserializers are wrapped so that such a
 * request reaches the controller as a marker, which `MalformedRequestPipe` refuses with
 * INVALID_ARGUMENT (after authentication, like any other invalid request).
 */
export function tolerateMalformedRequests(definition: PackageDefinition, service: string): void {
  const methods = definition[service] as Record<string, MethodDefinitionLike> | undefined;
  for (const method of Object.values(methods ?? {})) {
    const decode = method.requestDeserialize;
    if (typeof decode !== 'function') continue;
    method.requestDeserialize = (bytes: Buffer) => {
      try {
        return decode(bytes);
      } catch {
        return { [MALFORMED]: true };
      }
    };
  }
}

/** Refuses a request `tolerateMalformedRequests` could not decode: 400 / INVALID_ARGUMENT. */
@Injectable()
export class MalformedRequestPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (
      metadata.type === 'body' &&
      typeof value === 'object' &&
      value !== null &&
      MALFORMED in value
    ) {
      throw new RequestValidationError('The request is not a valid protobuf message', [
        { field: 'request', message: 'could not be decoded as its protobuf message' },
      ]);
    }
    return value;
  }
}
