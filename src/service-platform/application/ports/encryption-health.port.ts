/** Answers whether the key ring can open the data already stored (readiness). */
export abstract class EncryptionHealth {
  /** Resolves when it can; rejects with a message that names the failing key id. */
  abstract check(): Promise<void>;
}
