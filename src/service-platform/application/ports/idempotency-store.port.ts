/** Whose key it is: keys are scoped per tenant and actor, so they never meet across callers. */
export interface IdempotencyScope {
  /** The caller's tenant, or null for actors bound to none. */
  readonly tenantId: string | null;
  readonly actorId: string;
  /** The client's key (1-255 printable ASCII characters). */
  readonly key: string;
}

/** The outcome of claiming a key: run the request, or replay the answer already stored. */
export type IdempotencyClaim =
  { readonly kind: 'claimed' } | { readonly kind: 'replay'; readonly response: unknown };

/**
 * Where idempotency keys live, in the same transaction as the changes they guard: a key is
 * stored exactly when its change commits, with the first answer.
 */
export abstract class IdempotencyStore {
  /**
   * Inside a `UnitOfWork`: claims the key for this request, or returns the answer stored for it.
   * A request still running with the key is waited for a bounded time (then
   * `IdempotencyInProgressError`); a stored key with another `operation` or `request` is
   * `IdempotencyKeyReusedError`. `request` is the canonical request (it may hold secrets: only a
   * keyed hash of it is stored).
   */
  abstract claim(
    scope: IdempotencyScope,
    operation: string,
    request: string,
  ): Promise<IdempotencyClaim>;

  /** Inside the same `UnitOfWork`: stores the answer (masked) of the claimed key. */
  abstract complete(scope: IdempotencyScope, response: unknown): Promise<void>;

  /** Deletes keys past their lifetime; returns how many. */
  abstract prune(): Promise<number>;
}
