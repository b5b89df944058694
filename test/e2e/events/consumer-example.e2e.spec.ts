import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { ConsumerModule } from '../../../examples/platform-events-consumer/consumer.module';
import { consumerOptions } from '../../../examples/platform-events-consumer/consumer.options';
import { PlatformEventsController } from '../../../examples/platform-events-consumer/platform-events.controller';
import { newTenantId } from '../../support/fixtures';
import { API, http, registerPlatform } from '../e2e-helpers';
import {
  startEventsEnvironment,
  waitForDrainedOutbox,
  type EventsEnvironment,
} from './events-harness';
import { describeWithRedis } from '../../support/suite-requirements';

/** The README's consumer (examples/platform-events-consumer) against the demo app. */
describeWithRedis('example consumer: a Nest microservice with @EventPattern', () => {
  let env: EventsEnvironment;
  let app: INestApplication;
  let consumer: INestMicroservice;
  let controller: PlatformEventsController;

  beforeAll(async () => {
    env = await startEventsEnvironment('consumer');
    consumer = await NestFactory.createMicroservice<MicroserviceOptions>(ConsumerModule, {
      ...consumerOptions(env.redis.url),
      logger: false,
    });
    await consumer.listen();
    controller = consumer.get(PlatformEventsController);
    app = await env.startApp();
  }, 60_000);

  afterAll(async () => {
    await consumer?.close();
    await env?.close();
  });

  it('receives every change once, in order, and skips a redelivered event', async () => {
    const { platform } = await registerPlatform(app, newTenantId(), { service_name: 'slack' });
    expect(
      (
        await http(app)
          .put(`${API}/${platform.id}`)
          .send({ config: { client_id: 'v2' } })
      ).status,
    ).toBe(200);
    expect((await http(app).post(`${API}/${platform.id}/deactivate`)).status).toBe(200);
    expect((await http(app).post(`${API}/${platform.id}/activate`)).status).toBe(200);
    await waitForDrainedOutbox(env.sql);
    await env.subscriber.waitFor(() => controller.handled.length >= 4);
    expect(controller.handled.map((event) => [event.event_type, event.version])).toEqual([
      ['platform.registered', 1],
      ['platform.updated', 2],
      ['platform.deactivated', 3],
      ['platform.activated', 4],
    ]);

    // At-least-once delivery means a consumer can see an event again: it is skipped.
    const redelivered = env.subscriber.of(platform.id)[1];
    const publisher = new Redis(env.redis.url);
    try {
      await publisher.publish(
        'platform.updated',
        JSON.stringify({ pattern: 'platform.updated', data: redelivered?.data }),
      );
      await env.subscriber.waitFor(() => controller.duplicates === 1, 5_000, 'the duplicate');
    } finally {
      publisher.disconnect();
    }
    expect(controller.handled).toHaveLength(4);
  });
});
