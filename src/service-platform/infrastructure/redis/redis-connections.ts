import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { SERVICE_PLATFORM_OPTIONS } from '../../service-platform.module-definition';
import type { ServicePlatformModuleOptions } from '../../service-platform.options';
import { FAIL_FAST, redisConnectionOptions } from './redis-connection.options';

/**
 * The module's access to Redis (options `redis`): the host's own ioredis client, used as it is
 * and never closed here, or clients the module opens from a URL and closes at shutdown. Other
 * connections the module needs apart (the cache's) are opened with the same settings.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  /** The client events are published on; undefined without Redis. */
  readonly commands: Redis | undefined;
  /** Settings of the connections the module opens itself. */
  private readonly settings: RedisOptions | undefined;
  private readonly opened: Redis[] = [];

  constructor(@Inject(SERVICE_PLATFORM_OPTIONS) options: ServicePlatformModuleOptions) {
    const redis = options.redis;
    this.settings = redisSettingsOf(redis);
    this.commands =
      redis?.client ?? (redis === undefined ? undefined : this.open('service-platform'));
  }

  /** The server and credentials of the module's Redis, for clients of other libraries. */
  get clientOptions(): RedisOptions | undefined {
    return this.settings;
  }

  get configured(): boolean {
    return this.commands !== undefined;
  }

  /** Where the connections go, for namespacing (`host:port/db`, no credentials). */
  get address(): string {
    const { host = 'localhost', port = 6379, db = 0 } = this.settings ?? {};
    return `${host}:${port}/${db}`;
  }

  /**
   * A connection of the module's own (closed at shutdown), with the same server and
   * credentials, failing fast while Redis is down; `overrides` tune it.
   */
  open(name: string, overrides: RedisOptions = {}): Redis {
    if (this.settings === undefined) throw new Error('Redis is not configured (options.redis)');
    const client = new Redis({ ...this.settings, connectionName: name, ...overrides });
    // Failures are reported by whoever uses the client; an unheard 'error' event would be
    // logged by ioredis on every reconnect attempt.
    client.on('error', () => undefined);
    this.opened.push(client);
    return client;
  }

  /** After every user (the relay, the cache) has stopped. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.opened.splice(0).map((client) => client.quit().catch(() => client.disconnect())),
    );
  }
}

/**
 * Server, credentials and fail-fast settings of the connections the module opens itself, from
 * its `redis` option (the host's client's own settings, or the URL); undefined without Redis.
 */
export function redisSettingsOf(
  redis: ServicePlatformModuleOptions['redis'],
): RedisOptions | undefined {
  if (redis === undefined) return undefined;
  if (redis.client !== undefined)
    return { ...redis.client.options, ...FAIL_FAST, lazyConnect: false };
  return redisConnectionOptions(redis.url);
}
