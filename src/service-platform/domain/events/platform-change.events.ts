import { diffConfigFields, type FieldChanges } from '../field-changes';
import { newTimeOrderedId } from '../identifiers';
import type { JsonObject } from '../platform-configuration.value-object';
import type { ServicePlatform } from '../service-platform.entity';
import { AuditAction, PlatformEventType } from './platform-event-type';

/** An event as published (contract "Events"): snake_case JSON, config masked as in REST. */
export interface PlatformEventPayload {
  event_id: string;
  event_type: PlatformEventType;
  /** When the change happened (ISO 8601 UTC): the platform's `updated_at` after it. */
  timestamp: string;
  platform_id: string;
  tenant_id: string;
  service_name: string;
  /** The platform's version after the change: grows by one per change of the platform. */
  version: number;
  actor_id: string;
  config: JsonObject;
}

export interface PlatformChangeEventProps {
  readonly eventId: string;
  readonly platformId: string;
  readonly tenantId: string;
  readonly serviceName: string;
  readonly version: number;
  readonly actorId: string;
  readonly occurredAt: Date;
  /** Masked: no plaintext secret ever enters an event. */
  readonly config: JsonObject;
  /** What changed, for the audit trail (secrets only `{changed: true}`); not published. */
  readonly changes: FieldChanges;
}

/**
 * A committed change of one platform. Written to the outbox in the change's own transaction,
 * then dispatched on the CQRS event bus (audit trail, Redis, and any handler of the host app).
 * Nothing secret is in it: `config` is masked and `changes` hides secret values.
 */
export abstract class PlatformChangeEvent implements PlatformChangeEventProps {
  abstract readonly type: PlatformEventType;
  abstract readonly action: AuditAction;
  readonly eventId: string;
  readonly platformId: string;
  readonly tenantId: string;
  readonly serviceName: string;
  readonly version: number;
  readonly actorId: string;
  readonly occurredAt: Date;
  readonly config: JsonObject;
  readonly changes: FieldChanges;

  constructor(props: PlatformChangeEventProps) {
    this.eventId = props.eventId;
    this.platformId = props.platformId;
    this.tenantId = props.tenantId;
    this.serviceName = props.serviceName;
    this.version = props.version;
    this.actorId = props.actorId;
    this.occurredAt = props.occurredAt;
    this.config = props.config;
    this.changes = props.changes;
  }

  toPayload(): PlatformEventPayload {
    return {
      event_id: this.eventId,
      event_type: this.type,
      timestamp: this.occurredAt.toISOString(),
      platform_id: this.platformId,
      tenant_id: this.tenantId,
      service_name: this.serviceName,
      version: this.version,
      actor_id: this.actorId,
      config: this.config,
    };
  }
}

export class PlatformRegisteredEvent extends PlatformChangeEvent {
  readonly type = PlatformEventType.Registered;
  readonly action = AuditAction.Registered;

  static of(platform: ServicePlatform, actorId: string): PlatformRegisteredEvent {
    return new PlatformRegisteredEvent(
      propsOf(platform, actorId, {
        ...diffConfigFields('config', undefined, platform.config.toPlain(), platform.secrets),
        is_active: { before: null, after: platform.isActive },
      }),
    );
  }
}

export class PlatformUpdatedEvent extends PlatformChangeEvent {
  readonly type = PlatformEventType.Updated;
  readonly action = AuditAction.Updated;

  static of(
    before: ServicePlatform,
    after: ServicePlatform,
    actorId: string,
  ): PlatformUpdatedEvent {
    return new PlatformUpdatedEvent(
      propsOf(
        after,
        actorId,
        diffConfigFields('config', before.config.toPlain(), after.config.toPlain(), after.secrets),
      ),
    );
  }
}

export class PlatformDeactivatedEvent extends PlatformChangeEvent {
  readonly type = PlatformEventType.Deactivated;
  readonly action = AuditAction.Deactivated;

  static of(platform: ServicePlatform, actorId: string): PlatformDeactivatedEvent {
    return new PlatformDeactivatedEvent(
      propsOf(platform, actorId, { is_active: { before: true, after: false } }),
    );
  }
}

export class PlatformActivatedEvent extends PlatformChangeEvent {
  readonly type = PlatformEventType.Activated;
  readonly action = AuditAction.Activated;

  static of(platform: ServicePlatform, actorId: string): PlatformActivatedEvent {
    return new PlatformActivatedEvent(
      propsOf(platform, actorId, { is_active: { before: false, after: true } }),
    );
  }
}

/** The event classes, for `@EventsHandler(...PLATFORM_CHANGE_EVENTS)`. */
export const PLATFORM_CHANGE_EVENTS = [
  PlatformRegisteredEvent,
  PlatformUpdatedEvent,
  PlatformDeactivatedEvent,
  PlatformActivatedEvent,
] as const;

const EVENT_CLASS_OF: Record<
  PlatformEventType,
  new (props: PlatformChangeEventProps) => PlatformChangeEvent
> = {
  [PlatformEventType.Registered]: PlatformRegisteredEvent,
  [PlatformEventType.Updated]: PlatformUpdatedEvent,
  [PlatformEventType.Deactivated]: PlatformDeactivatedEvent,
  [PlatformEventType.Activated]: PlatformActivatedEvent,
};

/** Rebuilds a stored event (the outbox) as its class. */
export function restorePlatformEvent(
  type: PlatformEventType,
  props: PlatformChangeEventProps,
): PlatformChangeEvent {
  return new EVENT_CLASS_OF[type](props);
}

function propsOf(
  platform: ServicePlatform,
  actorId: string,
  changes: FieldChanges,
): PlatformChangeEventProps {
  return {
    eventId: newTimeOrderedId(),
    platformId: platform.id,
    tenantId: platform.tenantId,
    serviceName: platform.serviceName,
    version: platform.version,
    actorId,
    occurredAt: platform.updatedAt,
    config: platform.config.toMasked(platform.secrets),
    changes,
  };
}
