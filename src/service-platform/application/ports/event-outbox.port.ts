import type { PlatformChangeEvent } from '../../domain/events/platform-change.events';

/**
 * Where commands record their events: in the same transaction as the change (call it inside
 * `UnitOfWork.run`), so that an event exists if and only if its change committed.
 */
export abstract class EventOutbox {
  abstract append(event: PlatformChangeEvent): Promise<void>;
}
