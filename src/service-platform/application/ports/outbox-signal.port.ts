/** Tells the relay that new events were committed, so that it need not wait for its next poll. */
export abstract class OutboxSignal {
  /**
   * Calls `listener` whenever events may have been added; resolves once listening. Best effort:
   * a lost signal only delays events until the relay polls.
   */
  abstract listen(listener: () => void): Promise<void>;

  abstract close(): Promise<void>;
}
