import type { AuthenticatedUser } from './authenticated-user';

interface Entry {
  readonly user: AuthenticatedUser;
  /** Epoch ms after which the token must be verified again. */
  readonly until: number;
}

/**
 * Tokens already verified (signature, algorithm, time claims, lifetime) and the user they carry:
 * a client sends the same token with every request, and verifying its HMAC each time was a tenth
 * of the CPU of a cached read. Kept until the token expires (or `maxAgeMs` at most), at most
 * `maxEntries` of them (the oldest dropped first). Only successes are kept: a refused token is
 * verified (and refused) every time.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 1_000,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): AuthenticatedUser | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (this.now() >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  /** `expSeconds`: the token's `exp` claim (none: kept `maxAgeMs`). */
  set(token: string, user: AuthenticatedUser, expSeconds: number | undefined): void {
    const now = this.now();
    const until = Math.min(
      now + this.maxAgeMs,
      expSeconds === undefined ? Infinity : expSeconds * 1000,
    );
    if (until <= now) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    // Shared by every request that presents the token: frozen, so that none can change it.
    const shared = Object.freeze({ ...user, roles: Object.freeze([...user.roles]) });
    this.entries.set(token, { user: shared, until });
  }
}
