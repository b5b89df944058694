// A separate Nest microservice that consumes Service Platform events from Redis.
// Run: REDIS_URL=redis://127.0.0.1:6379 node scripts/run-ts.cjs examples/platform-events-consumer/main.ts
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { ConsumerModule } from './consumer.module';
import { consumerOptions } from './consumer.options';

async function main(): Promise<void> {
  const consumer = await NestFactory.createMicroservice<MicroserviceOptions>(
    ConsumerModule,
    consumerOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  );
  consumer.enableShutdownHooks();
  await consumer.listen();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
