/** Groups repository calls into one database transaction. */
export abstract class UnitOfWork {
  /**
   * Runs `work` in one transaction: what it writes commits together or not at all, and rows it
   * reads `forUpdate` stay locked until it ends. Nested calls join the outer transaction.
   */
  abstract run<T>(work: () => Promise<T>): Promise<T>;

  /**
   * Runs `callback` once the surrounding (outermost) transaction has committed, before `run`
   * returns, and never if it rolls back; at once outside a transaction. For side effects that
   * must not see uncommitted state, such as refreshing a cache. A failing callback is the
   * callback's business: it cannot undo the commit, so it must not throw.
   */
  abstract afterCommit(callback: () => Promise<void>): void;
}
