/**
 * Event ids already handled, so that a redelivered event (delivery is at least once) is skipped.
 * In memory and bounded, which suits one consumer instance; with several instances or across
 * restarts, record ids where the side effect is stored (a unique column in the same transaction,
 * or Redis `SET event:<id> 1 NX EX 86400`).
 */
export class ProcessedEvents {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  /** True the first time an id is seen, false for every repeat. */
  firstTime(eventId: string): boolean {
    if (this.ids.has(eventId)) return false;
    this.ids.add(eventId);
    if (this.ids.size > this.capacity) {
      // Sets iterate in insertion order: drop the oldest id.
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
