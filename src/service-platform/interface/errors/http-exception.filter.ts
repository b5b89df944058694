import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { toErrorBody } from './error-body';
import { errorLogLine } from './error-log';

/**
 * Answers every error with the contract's error body. Works on Express and Fastify (it replies
 * through the HTTP adapter). Server-side failures are logged with their stack; clients get none.
 */
@Catch()
export class ServicePlatformHttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ServicePlatformHttp');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      const { line, stack } = errorLogLine(body.code, exception);
      this.logger.error(line, stack);
    }
    const response: unknown = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.reply(response, body, body.statusCode);
  }
}
