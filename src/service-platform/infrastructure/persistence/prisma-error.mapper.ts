import { PlatformServiceError, ServiceUnavailableError } from '../../domain/platform.errors';
import { Prisma } from './generated/client';

/** The unique index `idx_service_platform_tenant_service` (or any unique constraint) was hit. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/** Prisma codes for "cannot reach / lost the database" and pool exhaustion. */
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2037']);
/** Node socket errors, as the `pg` driver surfaces them. */
const UNAVAILABLE_SOCKET_ERRORS =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|Connection terminated|timeout exceeded when trying to connect|Query read timeout|statement timeout|too many clients|the database system is (starting up|shutting down)/i;

/**
 * Driver-adapter error kinds (`@prisma/driver-adapter-utils`) that mean the database cannot be
 * reached or used right now. Prisma 7 reports a raw query's failure as P2010 with the adapter's
 * error under `meta.driverAdapterError` (its `cause.kind`), not as a P1xxx code.
 */
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'AuthenticationFailed',
  'ConnectionClosed',
  'SocketTimeout',
  'TlsConnectionError',
  'TooManyConnections',
]);

function adapterErrorKind(error: Prisma.PrismaClientKnownRequestError): unknown {
  const adapterError = (error.meta as { driverAdapterError?: { cause?: { kind?: unknown } } })
    ?.driverAdapterError;
  return adapterError?.cause?.kind;
}

function isUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (UNAVAILABLE_CODES.has(error.code)) return true;
    if (UNAVAILABLE_ADAPTER_KINDS.has(adapterErrorKind(error) as string)) return true;
  }
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_SOCKET_ERRORS.test(code)) return true;
    if (UNAVAILABLE_SOCKET_ERRORS.test(cause.message)) return true;
    cause = cause.cause;
  }
  return false;
}

/**
 * Turns storage failures the caller can do nothing about but retry into `ServiceUnavailableError`
 * (503 / UNAVAILABLE); domain errors pass through; anything else stays an internal error.
 */
export function translateStorageError(error: unknown): unknown {
  if (error instanceof PlatformServiceError) return error;
  if (isUnavailable(error)) return new ServiceUnavailableError();
  return error;
}

/** `lock_timeout` ran out (SQLSTATE 55P03) while the statement waited for a lock. */
export function isLockTimeout(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const { code, originalCode } = cause as { code?: unknown; originalCode?: unknown };
    if (code === '55P03' || originalCode === '55P03') return true;
    if (/lock timeout/i.test(cause.message)) return true;
    cause = cause.cause;
  }
  return false;
}
