/** Groups repository calls into one database transaction. */
export abstract class UnitOfWork {
  /**
   * Runs `work` in one transaction: what it writes commits together or not at all, and rows it
   * reads `forUpdate` stay locked until it ends. Nested calls join the outer transaction.
   */
  abstract run<T>(work: () => Promise<T>): Promise<T>;
}
