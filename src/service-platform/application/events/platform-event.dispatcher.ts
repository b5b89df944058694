import { Inject, Injectable } from '@nestjs/common';
import type { PlatformChangeEvent } from '../../domain/events/platform-change.events';
import { messageOf } from '../error-message';
import { withTimeout } from '../with-timeout';
import { PLATFORM_EVENT_TARGETS, PlatformEventTarget } from './platform-event-target';

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
 * Hands an event to its fan-out targets (audit trail, broker, the host's event handlers), all at
 * once, and resolves when every one of them succeeded; `FanOutError` names those that did not,
 * so that the relay retries them alone.
 */
@Injectable()
export class PlatformEventDispatcher {
  private readonly targets: ReadonlyMap<string, PlatformEventTarget>;

  constructor(@Inject(PLATFORM_EVENT_TARGETS) targets: readonly PlatformEventTarget[]) {
    this.targets = new Map(
      targets.filter((target) => target.enabled).map((target) => [target.name, target]),
    );
  }

  /** The targets this instance can reach (an outbox row needs those of its writer). */
  get targetNames(): readonly string[] {
    return [...this.targets.keys()];
  }

  /**
   * Resolves when every one of `targets` (default: all) handled `event`; `FanOutError` names the
   * ones that did not. A target this instance does not have counts as failed.
   */
  async dispatch(
    event: PlatformChangeEvent,
    timeoutMs: number,
    targets: readonly string[] = this.targetNames,
  ): Promise<void> {
    const failures = new Map<string, string>();
    await Promise.all(
      targets.map(async (name) => {
        const target = this.targets.get(name);
        try {
          if (target === undefined) throw new Error('not configured on this instance');
          await withTimeout(target.deliver(event), timeoutMs, `did not finish in ${timeoutMs} ms`);
        } catch (error) {
          failures.set(name, messageOf(error));
        }
      }),
    );
    if (failures.size > 0) {
      throw new FanOutError(
        failures,
        targets.filter((target) => !failures.has(target)),
      );
    }
  }
}
