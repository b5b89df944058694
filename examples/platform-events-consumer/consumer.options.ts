import { Transport, type MicroserviceOptions } from '@nestjs/microservices';

/** Nest's Redis transport, from a `redis://[:password@]host:port` URL. */
export function consumerOptions(redisUrl: string): MicroserviceOptions {
  const url = new URL(redisUrl);
  return {
    transport: Transport.REDIS,
    options: {
      host: url.hostname,
      port: url.port === '' ? 6379 : Number(url.port),
      ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
      retryAttempts: Number.MAX_SAFE_INTEGER,
      retryDelay: 1_000,
    },
  };
}
