import { applyDecorators } from '@nestjs/common';
import { ApiConflictResponse, ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency-key.decorator';
import { ErrorResponseDto } from './dto/platform.response.dto';

/** Swagger of a write that takes an `Idempotency-Key` (contract "Writes"). */
export function ApiIdempotentWrite(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Makes the write safe to retry: the same key with the same request, by the same caller, ' +
        'within 24 h answers the first answer again (status, body, ETag) and changes nothing. ' +
        '1-255 printable ASCII characters, e.g. a UUID.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    }),
    ApiUnprocessableEntityResponse({
      type: ErrorResponseDto,
      description: 'IDEMPOTENCY_KEY_REUSED: the key was used for a different request',
    }),
    ApiConflictResponse({
      type: ErrorResponseDto,
      description:
        'IDEMPOTENCY_IN_PROGRESS: a request with this key is still running; retry for its answer',
    }),
  );
}
