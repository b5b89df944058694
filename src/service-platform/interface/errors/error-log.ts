import { PlatformServiceError } from '../../domain/platform.errors';

/** The log line of a server-side failure: code, error and its operator-only detail, if any. */
export function errorLogLine(code: string, exception: unknown): { line: string; stack?: string } {
  const error = exception instanceof Error ? exception : new Error(String(exception));
  const detail =
    exception instanceof PlatformServiceError && exception.internalDetail !== undefined
      ? ` (${exception.internalDetail})`
      : '';
  return {
    line: `${code}: ${error.name}: ${error.message}${detail}`,
    ...(error.stack !== undefined && { stack: error.stack }),
  };
}
