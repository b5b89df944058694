import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import {
  PLATFORM_CHANGE_EVENTS,
  type PlatformChangeEvent,
} from '../../../domain/events/platform-change.events';
import { AuditTrail } from '../../ports/audit-trail.port';
import { PlatformEventDispatcher } from '../platform-event.dispatcher';

export const AUDIT_TARGET = 'audit';

/** Fan-out target: one audit entry per change (idempotent on the event id, so retries are safe). */
@EventsHandler(...PLATFORM_CHANGE_EVENTS)
export class AuditTrailHandler implements IEventHandler<PlatformChangeEvent> {
  constructor(
    private readonly auditTrail: AuditTrail,
    private readonly dispatcher: PlatformEventDispatcher,
  ) {
    dispatcher.addTarget(AUDIT_TARGET);
  }

  handle(event: PlatformChangeEvent): Promise<void> {
    return this.dispatcher.deliver(event, AUDIT_TARGET, () =>
      this.auditTrail.record({
        eventId: event.eventId,
        platformId: event.platformId,
        tenantId: event.tenantId,
        action: event.action,
        actorId: event.actorId,
        changes: event.changes,
        occurredAt: event.occurredAt,
      }),
    );
  }
}
