import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { PlatformChangeEvent } from '../../domain/events/platform-change.events';
import { withTimeout } from '../with-timeout';
import { messageOf } from '../error-message';

interface Pending {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** One or more fan-out targets failed (or did not finish in time) for an event. */
export class FanOutError extends Error {
  constructor(
    readonly failures: ReadonlyMap<string, string>,
    /** The targets of the dispatch that did succeed. */
    readonly delivered: readonly string[],
  ) {
    super([...failures].map(([target, reason]) => `${target}: ${reason}`).join('; '));
    this.name = 'FanOutError';
  }
}

/**
 * Publishes an event on the CQRS event bus and waits until every fan-out target has handled it.
 * The bus itself is fire-and-forget (a handler's failure is only logged), which is not enough for
 * "mark the outbox row done only after every target succeeded": each target's handler reports
 * through `deliver()`, and `dispatch()` resolves only when all of them succeeded.
 */
@Injectable()
export class PlatformEventDispatcher {
  private readonly targets = new Set<string>();
  private readonly inFlight = new WeakMap<PlatformChangeEvent, Map<string, Pending>>();

  constructor(private readonly eventBus: EventBus) {}

  /** Called by each fan-out target's handler when it is created. */
  addTarget(name: string): void {
    this.targets.add(name);
  }

  get targetNames(): readonly string[] {
    return [...this.targets];
  }

  /**
   * Resolves when every one of `targets` (default: all) handled `event`; `FanOutError` names the
   * ones that did not. Handlers of other targets skip the event (an earlier attempt reached them).
   */
  async dispatch(
    event: PlatformChangeEvent,
    timeoutMs: number,
    targets: readonly string[] = [...this.targets],
  ): Promise<void> {
    const pending = new Map(targets.map((target) => [target, pendingResult()]));
    this.inFlight.set(event, pending);
    try {
      this.eventBus.publish(event);
      const failures = new Map<string, string>();
      await Promise.all(
        [...pending].map(async ([target, result]) => {
          try {
            await withTimeout(result.promise, timeoutMs, `did not finish in ${timeoutMs} ms`);
          } catch (error) {
            failures.set(target, messageOf(error));
          }
        }),
      );
      if (failures.size > 0) {
        throw new FanOutError(
          failures,
          targets.filter((target) => !failures.has(target)),
        );
      }
    } finally {
      this.inFlight.delete(event);
    }
  }

  /**
   * Runs a target's side effect for `event` and reports the outcome to the dispatch waiting for
   * it. Outside a dispatch (an event published by other code), a failure is thrown as usual.
   */
  async deliver(
    event: PlatformChangeEvent,
    target: string,
    work: () => Promise<void>,
  ): Promise<void> {
    const dispatch = this.inFlight.get(event);
    // Reached by an earlier attempt: not again.
    if (dispatch !== undefined && !dispatch.has(target)) return;
    const result = dispatch?.get(target);
    try {
      await work();
      result?.resolve();
    } catch (error) {
      if (result === undefined) throw error;
      result.reject(error);
    }
  }
}

function pendingResult(): Pending {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejections are read by `dispatch`; one that arrives after a timeout must not go unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
