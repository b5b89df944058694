import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { PlatformEventPayload } from '../../src/service-platform';
import { ProcessedEvents } from './processed-events';

/**
 * Reacts to Service Platform changes published on Redis (channel = event type). Each event is
 * handled once even when delivered twice; events of one platform arrive in `version` order.
 */
@Controller()
export class PlatformEventsController {
  private readonly logger = new Logger(PlatformEventsController.name);
  /** What this example did, in order (a real consumer would update its own state instead). */
  readonly handled: PlatformEventPayload[] = [];
  duplicates = 0;
  /** Last version applied per platform (a real consumer keeps it with its own state). */
  private readonly versions = new Map<string, number>();

  constructor(private readonly processed: ProcessedEvents) {}

  @EventPattern('platform.registered')
  onRegistered(@Payload() event: PlatformEventPayload): void {
    this.handle(event);
  }

  @EventPattern('platform.updated')
  onUpdated(@Payload() event: PlatformEventPayload): void {
    this.handle(event);
  }

  @EventPattern('platform.deactivated')
  onDeactivated(@Payload() event: PlatformEventPayload): void {
    // E.g. stop the tenant's sync jobs for event.service_name.
    this.handle(event);
  }

  @EventPattern('platform.activated')
  onActivated(@Payload() event: PlatformEventPayload): void {
    this.handle(event);
  }

  private handle(event: PlatformEventPayload): void {
    if (!this.processed.firstTime(event.event_id)) {
      this.duplicates++;
      return;
    }
    // Versions of a platform only grow: a late copy of an older event (its id forgotten, or
    // after a restart) must not undo a newer one.
    const last = this.versions.get(event.platform_id) ?? 0;
    if (event.version <= last) {
      this.duplicates++;
      return;
    }
    this.versions.set(event.platform_id, event.version);
    this.handled.push(event);
    this.logger.log(
      `${event.event_type} ${event.service_name} of tenant ${event.tenant_id} (version ${event.version})`,
    );
  }
}
