/** Answers whether the store can be reached right now (readiness). */
export abstract class StorageHealth {
  /** Resolves when a trivial query succeeds within `timeoutMs`; rejects otherwise. */
  abstract ping(timeoutMs: number): Promise<void>;
}
