/** How the outbox relay works; every field has a default (`resolveOutboxRelaySettings`). */
export interface OutboxRelaySettings {
  /** Dispatch events from this instance (default true). Any number of instances may relay. */
  readonly enabled: boolean;
  /** Polling period; new events normally wake the relay at once through LISTEN/NOTIFY. */
  readonly pollIntervalMs: number;
  /** Events leased per round (at most one per platform). */
  readonly batchSize: number;
  /** How long an instance holds an event it dispatches before another may take it over. */
  readonly leaseMs: number;
  /**
   * How long every fan-out target together may take for one event before it is retried; shorter
   * than `leaseMs` (default 10 s, or a third of a `leaseMs` of 10 s or less).
   */
  readonly dispatchTimeoutMs: number;
  /** First retry delay after a failed dispatch; it doubles per attempt up to `retryMaxMs`. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** How long dispatched events are kept before they are pruned. */
  readonly retentionMs: number;
  readonly pruneIntervalMs: number;
  /** Backlog check period, and the thresholds above which a growing backlog is logged. */
  readonly backlogCheckIntervalMs: number;
  readonly backlogWarnCount: number;
  readonly backlogWarnAgeMs: number;
}

export const DEFAULT_OUTBOX_RELAY_SETTINGS: OutboxRelaySettings = {
  enabled: true,
  pollIntervalMs: 1_000,
  batchSize: 50,
  leaseMs: 30_000,
  dispatchTimeoutMs: 10_000,
  retryMinMs: 500,
  retryMaxMs: 60_000,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  pruneIntervalMs: 10 * 60 * 1000,
  backlogCheckIntervalMs: 30_000,
  backlogWarnCount: 1_000,
  backlogWarnAgeMs: 60_000,
};

const MAX_TIMER_MS = 2 ** 31 - 1;

export function resolveOutboxRelaySettings(
  overrides: Partial<OutboxRelaySettings> = {},
): OutboxRelaySettings {
  const settings = { ...DEFAULT_OUTBOX_RELAY_SETTINGS, ...overrides };
  // A lease too short for the default dispatch timeout brings the timeout down with it (a third
  // of the lease, as the defaults have it); any longer lease keeps the default. Only an explicit
  // timeout that does not fit the lease is refused below.
  if (
    overrides.dispatchTimeoutMs === undefined &&
    overrides.leaseMs !== undefined &&
    overrides.leaseMs <= DEFAULT_OUTBOX_RELAY_SETTINGS.dispatchTimeoutMs
  ) {
    settings.dispatchTimeoutMs = Math.min(
      DEFAULT_OUTBOX_RELAY_SETTINGS.dispatchTimeoutMs,
      Math.max(1, Math.floor(overrides.leaseMs / 3)),
    );
  }
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value === 'number' && !(Number.isInteger(value) && value > 0)) {
      throw new Error(`events.relay.${name} must be a positive integer (got ${String(value)})`);
    }
  }
  // Node timers fire at once for periods beyond 2^31 - 1 ms.
  for (const name of ['pollIntervalMs', 'pruneIntervalMs', 'backlogCheckIntervalMs'] as const) {
    if (settings[name] > MAX_TIMER_MS) {
      throw new Error(`events.relay.${name} must be at most ${MAX_TIMER_MS} ms`);
    }
  }
  if (settings.retryMinMs > settings.retryMaxMs) {
    throw new Error('events.relay.retryMinMs must not exceed events.relay.retryMaxMs');
  }
  if (settings.dispatchTimeoutMs >= settings.leaseMs) {
    throw new Error(
      overrides.dispatchTimeoutMs === undefined
        ? `events.relay.leaseMs is too short (${settings.leaseMs} ms)`
        : 'events.relay.dispatchTimeoutMs must be shorter than events.relay.leaseMs',
    );
  }
  return settings;
}

/** Delay before attempt `attempt + 1`: exponential from `retryMinMs`, capped, ±20% jitter. */
export function retryDelayMs(attempt: number, settings: OutboxRelaySettings): number {
  const exponential = settings.retryMinMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(settings.retryMaxMs, exponential);
  return Math.max(1, Math.round(capped * (0.8 + Math.random() * 0.4)));
}

/** Injection token of the resolved settings. */
export const OUTBOX_RELAY_SETTINGS = Symbol('OUTBOX_RELAY_SETTINGS');
