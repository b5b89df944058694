/**
 * Answers whether the key ring can open the data already stored (readiness, and every write but
 * deactivation, which must stay possible wherever the platform can be read).
 */
export abstract class EncryptionHealth {
  /** Resolves when it can; rejects with a message that names the failing key id (for operators). */
  abstract check(): Promise<void>;

  /**
   * Resolves when this instance may write configurations (wrap or use a data key): its key ring
   * holds every master key id in use with the registered material. Rejects with
   * `ServiceUnavailableError` otherwise (a generic message; the key ids in its internal detail),
   * before anything is written.
   */
  abstract assertWritable(): Promise<void>;
}
