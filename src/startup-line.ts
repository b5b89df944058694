import type { Environment } from './config/environment';
import type { EmbeddedPostgres } from './dev/embedded-postgres';

/** `host:port/database` of a connection string, never its credentials. */
function whereIs(url: string, defaultPort: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || defaultPort}${parsed.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/** The one start-up line: where it listens and which backends it uses. */
export function startupLine(
  env: Pick<Environment, 'PORT' | 'GRPC_PORT' | 'REDIS_URL' | 'METRICS_PORT' | 'METRICS_HOST'> & {
    DATABASE_URL?: string;
  },
  embedded: Pick<EmbeddedPostgres, 'port' | 'dataDir'> | undefined,
): string {
  const database =
    embedded !== undefined
      ? `embedded PostgreSQL 127.0.0.1:${embedded.port} (${embedded.dataDir})`
      : `PostgreSQL server ${whereIs(env.DATABASE_URL ?? '', '5432')}`;
  const redis =
    env.REDIS_URL !== undefined
      ? `Redis ${whereIs(env.REDIS_URL, '6379')}`
      : 'no Redis (events in-process, cache in memory)';
  return (
    `Listening: REST http://0.0.0.0:${env.PORT}/api/v1 (docs /api/docs), ` +
    `gRPC 0.0.0.0:${env.GRPC_PORT}, ` +
    (env.METRICS_PORT === 0
      ? 'no metrics'
      : `metrics http://${env.METRICS_HOST}:${env.METRICS_PORT}/metrics`) +
    `; ${database}; ${redis}`
  );
}
