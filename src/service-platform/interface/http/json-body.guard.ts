import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { UnsupportedMediaTypeError } from '../../domain/platform.errors';

interface RequestHeaders {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * `application/json`, with no charset or `charset=utf-8` (any case, optionally quoted): the only
 * body the API reads. Anything else, `+json` types and other charsets included, is refused.
 */
export function isJsonUtf8(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim());
  if (type.toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
    if (name.toLowerCase() !== 'charset') return name === '';
    return value.replace(/^"(.*)"$/, '$1').toLowerCase() === 'utf-8';
  });
}

/** Whether the request carries a body (a length above 0, or a chunked one). */
export function hasBody(headers: RequestHeaders['headers']): boolean {
  const length = headers['content-length'];
  if (typeof length === 'string' && length.trim() !== '' && length.trim() !== '0') return true;
  return headers['transfer-encoding'] !== undefined;
}

/**
 * 415 for a body that is not JSON in UTF-8, before anything reads it: a form or text body
 * parsed by the host's framework could otherwise reach validation, whose messages would quote
 * it (secrets included) as an unknown field name. Routes without a body are not concerned.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const { headers } = context.switchToHttp().getRequest<RequestHeaders>();
    if (!hasBody(headers)) return true;
    const type = headers['content-type'];
    if (!isJsonUtf8(typeof type === 'string' ? type : undefined)) {
      throw new UnsupportedMediaTypeError();
    }
    return true;
  }
}
