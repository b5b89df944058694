import type { Type } from '@nestjs/common';
import { ListPlatformsQueryDto } from '../http/dto/list-platforms.query.dto';
import { RegisterPlatformRequestDto } from '../http/dto/register-platform.request.dto';
import { UpdatePlatformRequestDto } from '../http/dto/update-platform.request.dto';
import { createRequestValidationPipe } from '../http/request-validation.pipe';
import { PlatformGrpcMapper } from './platform.grpc-mapper';
import type {
  ListPlatformsRequestMessage,
  RegisterPlatformRequestMessage,
  UpdatePlatformRequestMessage,
} from './platform-service.messages';

/** The REST API's validation pipe (class-validator DTOs, unknown fields refused...). */
const restValidation = createRequestValidationPipe();

async function validateAs<T>(dto: Type<T>, value: unknown, type: 'body' | 'query'): Promise<T> {
  return (await restValidation.transform(value, { type, metatype: dto })) as T;
}

/**
 * Validates gRPC requests with the very DTOs and pipe of the REST API, once mapped to the REST
 * request shapes: the same checks in the same order (shape first, then tenant and existence in
 * the handlers), so a request gets the same outcome and the same field violations on both
 * transports.
 */
export class GrpcRequestValidator {
  static register(message: RegisterPlatformRequestMessage): Promise<RegisterPlatformRequestDto> {
    return validateAs(
      RegisterPlatformRequestDto,
      PlatformGrpcMapper.toRegisterBody(message),
      'body',
    );
  }

  static update(message: UpdatePlatformRequestMessage): Promise<UpdatePlatformRequestDto> {
    return validateAs(UpdatePlatformRequestDto, PlatformGrpcMapper.toUpdateBody(message), 'body');
  }

  static list(message: ListPlatformsRequestMessage): Promise<ListPlatformsQueryDto> {
    return validateAs(ListPlatformsQueryDto, PlatformGrpcMapper.toListQuery(message), 'query');
  }
}
