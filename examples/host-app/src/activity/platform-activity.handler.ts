import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { PlatformRegisteredEvent } from 'service-platform';
import { HostDatabase } from '../database/host-database';

/**
 * The host's own handler of the module's event: called once per registration, after it
 * committed. It records the event in the host's own table (idempotent on the event id, as
 * delivery is at least once across crashes).
 */
@EventsHandler(PlatformRegisteredEvent)
export class PlatformActivityHandler implements IEventHandler<PlatformRegisteredEvent> {
  /** Calls so far, for the example's tests. */
  static calls = 0;

  constructor(private readonly database: HostDatabase) {}

  async handle(event: PlatformRegisteredEvent): Promise<void> {
    PlatformActivityHandler.calls++;
    await this.database.prisma.platformActivity.createMany({
      data: [
        { eventId: event.eventId, platformId: event.platformId, serviceName: event.serviceName },
      ],
      skipDuplicates: true,
    });
  }
}
