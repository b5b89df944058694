import { createSecretKey } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { redisConnectionOptions } from '../service-platform/infrastructure/redis/redis-connection.options';
import type { Environment } from '../config/environment';
import {
  JWT_ALGORITHMS,
  JWT_AUTH_OPTIONS,
  JwtAuthGuard,
  type JwtAuthOptions,
} from './jwt-auth.guard';
import { RollingWindowThrottlerStorage } from './rolling-window-throttler.storage';
import { FailoverThrottlerStorage, RedisThrottlerStorage } from './redis-throttler.storage';
import { RATE_LIMIT_WINDOW_MS, TenantThrottlerGuard } from './tenant-throttler.guard';

/**
 * Authentication and rate limiting of the demo host app, as two global guards that run in
 * this order: `JwtAuthGuard` (sets `request.user`), then `TenantThrottlerGuard` (counts the
 * request against `request.user`'s tenant). Needs the global `ConfigModule`.
 */
@Module({})
export class AuthModule {
  static forRoot(): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        JwtModule.registerAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>) => ({
            // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it
            // as a PEM public key on EVERY verification and throws; that failed parse was a
            // quarter of the CPU of an authenticated call (bench/grpc-get-platform.bench.ts).
            secret: createSecretKey(Buffer.from(config.get('AUTH_JWT_SECRET', { infer: true }))),
            signOptions: { algorithm: 'HS256' },
            verifyOptions: { algorithms: [...JWT_ALGORITHMS] },
          }),
        }),
        ThrottlerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>) => ({
            throttlers: [
              {
                name: 'default',
                ttl: RATE_LIMIT_WINDOW_MS,
                limit: config.get('RATE_LIMIT_PER_MINUTE', { infer: true }),
                // 0: a rolling window (a slot frees when the oldest request of the minute
                // expires), rather than a penalty block of a whole minute.
                blockDuration: 0,
              },
            ],
            // O(1) per request instead of the default storage's O(hits in the window); with
            // REDIS_URL, counted in Redis across instances (in memory while it is down).
            storage: throttlerStorage(config.get('REDIS_URL', { infer: true })),
            errorMessage: (_context, detail) =>
              `Too many requests: at most ${detail.limit} per minute; retry in ${Math.max(1, detail.timeToBlockExpire)} s`,
          }),
        }),
      ],
      providers: [
        {
          provide: JWT_AUTH_OPTIONS,
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>): JwtAuthOptions => {
            const production = config.get('NODE_ENV', { infer: true }) === 'production';
            return {
              requireExpiry: production,
              ...(production && {
                maxLifetimeSeconds: config.get('AUTH_MAX_TOKEN_LIFETIME', { infer: true }),
              }),
            };
          },
        },
        // Order matters: global guards run in the order they are provided.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: TenantThrottlerGuard },
      ],
    };
  }
}

/** Where the demo app counts requests: Redis when it has one (falling back to memory), else memory. */
function throttlerStorage(redisUrl: string | undefined): ThrottlerStorage {
  const local = new RollingWindowThrottlerStorage();
  if (redisUrl === undefined || redisUrl.trim() === '') return local;
  const redis = new Redis({
    ...redisConnectionOptions(redisUrl, 'REDIS_URL'),
    connectionName: 'rate-limit',
  });
  // Failures are reported by the storage (once per interval), not by every reconnect attempt.
  redis.on('error', () => undefined);
  return new FailoverThrottlerStorage(new RedisThrottlerStorage(redis), local, () => {
    redis.disconnect();
    return Promise.resolve();
  });
}
