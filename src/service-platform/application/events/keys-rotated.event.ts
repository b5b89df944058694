import type { IEvent } from '@nestjs/cqrs';

/** What a completed key rotation did: ids, times and counts, never key material. */
export interface KeysRotatedDetails {
  /** The `key_rotations` run (one per primary master key and mode; resumed runs keep their id). */
  readonly rotationId: string;
  /** The primary master key every data key is now wrapped by. */
  readonly masterKeyId: string;
  /** Whether configurations were also re-encrypted under fresh data keys. */
  readonly reencrypt: boolean;
  /** Counts of the invocation that completed the run. */
  readonly keysRewrapped: number;
  readonly configsReencrypted: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/**
 * Published in-process (CQRS event bus) after a key rotation has completed: every data key is
 * wrapped by the primary master key (and, with `reencrypt`, every configuration is under a fresh
 * data key). For the host's own `@EventsHandler(KeysRotatedEvent)` (alerts, its own records): the
 * module's audit trail does not need it, as a re-encryption writes a `key_rotated` entry per
 * platform itself, in the transaction that re-encrypts it.
 */
export class KeysRotatedEvent implements IEvent {
  constructor(readonly rotation: KeysRotatedDetails) {}
}
