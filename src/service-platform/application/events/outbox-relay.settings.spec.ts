import {
  DEFAULT_OUTBOX_RELAY_SETTINGS,
  resolveOutboxRelaySettings,
  retryDelayMs,
} from './outbox-relay.settings';

describe('outbox relay settings', () => {
  it('defaults every field and accepts overrides', () => {
    expect(resolveOutboxRelaySettings()).toEqual(DEFAULT_OUTBOX_RELAY_SETTINGS);
    expect(resolveOutboxRelaySettings({ batchSize: 5 }).batchSize).toBe(5);
  });

  it('refuses non-positive or fractional numbers, and a dispatch timeout as long as the lease', () => {
    expect(() => resolveOutboxRelaySettings({ batchSize: 0 })).toThrow('events.relay.batchSize');
    expect(() => resolveOutboxRelaySettings({ leaseMs: 1.5 })).toThrow('events.relay.leaseMs');
    expect(() => resolveOutboxRelaySettings({ leaseMs: 1000, dispatchTimeoutMs: 1000 })).toThrow(
      'shorter',
    );
    expect(() => resolveOutboxRelaySettings({ pollIntervalMs: 2 ** 31 })).toThrow('at most');
    expect(() => resolveOutboxRelaySettings({ retryMinMs: 10, retryMaxMs: 5 })).toThrow(
      'must not exceed',
    );
  });

  it('a lease too short for the default timeout brings it down to a third of the lease', () => {
    expect(resolveOutboxRelaySettings({ leaseMs: 5_000 })).toMatchObject({
      leaseMs: 5_000,
      dispatchTimeoutMs: 1_666,
    });
    // A longer lease keeps the default timeout (15 s and 2 min: as before); an explicit timeout
    // is taken as given.
    expect(resolveOutboxRelaySettings({ leaseMs: 15_000 }).dispatchTimeoutMs).toBe(10_000);
    expect(resolveOutboxRelaySettings({ leaseMs: 120_000 }).dispatchTimeoutMs).toBe(10_000);
    expect(() => resolveOutboxRelaySettings({ leaseMs: 1 })).toThrow('leaseMs is too short');
    expect(
      resolveOutboxRelaySettings({ leaseMs: 5_000, dispatchTimeoutMs: 4_000 }).dispatchTimeoutMs,
    ).toBe(4_000);
  });

  it('backs off exponentially from retryMinMs, capped at retryMaxMs, with ±20% jitter', () => {
    const settings = resolveOutboxRelaySettings({ retryMinMs: 100, retryMaxMs: 1_000 });
    for (const [attempt, base] of [
      [1, 100],
      [2, 200],
      [3, 400],
      [4, 800],
      [5, 1_000],
      [60, 1_000],
    ] as const) {
      for (let sample = 0; sample < 20; sample++) {
        const delay = retryDelayMs(attempt, settings);
        expect(delay).toBeGreaterThanOrEqual(base * 0.8);
        expect(delay).toBeLessThanOrEqual(base * 1.2);
      }
    }
  });
});
