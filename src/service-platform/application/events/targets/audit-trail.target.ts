import { Injectable } from '@nestjs/common';
import type { PlatformChangeEvent } from '../../../domain/events/platform-change.events';
import { AuditTrail } from '../../ports/audit-trail.port';
import { PlatformEventTarget } from '../platform-event-target';

/** One audit entry per change (idempotent on the event id, so retries are safe). */
@Injectable()
export class AuditTrailTarget extends PlatformEventTarget {
  readonly name = 'audit';
  readonly enabled = true;

  constructor(private readonly auditTrail: AuditTrail) {
    super();
  }

  deliver(event: PlatformChangeEvent): Promise<void> {
    return this.auditTrail.record({
      eventId: event.eventId,
      platformId: event.platformId,
      tenantId: event.tenantId,
      action: event.action,
      actorId: event.actorId,
      changes: event.changes,
      occurredAt: event.occurredAt,
    });
  }
}
