/** Progress of one phase of a rotation; `total` may grow while the service keeps writing. */
export interface RotationProgress {
  readonly phase: 'rewrap' | 'reencrypt';
  readonly done: number;
  readonly total: number;
}

export interface RotationOptions {
  /** Also re-encrypt every configuration under a fresh data key of its tenant. */
  readonly reencrypt?: boolean;
  /** Rows per batch (1-1000, default 100): one transaction and one progress report each. */
  readonly batchSize?: number;
  /** Called after every batch (and at the start of every phase). */
  readonly onProgress?: (progress: RotationProgress) => void;
  /** Aborting stops the rotation between two batches with a `RotationInterruptedError`. */
  readonly signal?: AbortSignal;
}

export interface RotationSummary {
  /** The persisted run; running the same rotation again resumes it (or finds nothing to do). */
  readonly rotationId: string;
  /** The primary master key of the ring: the one everything is rotated to. */
  readonly masterKeyId: string;
  readonly reencrypt: boolean;
  /** True when this call continued an unfinished run it did not start (interrupted, or concurrent). */
  readonly resumed: boolean;
  /** True when nothing is left on another master key (nor, with `reencrypt`, on an old data key). */
  readonly completed: boolean;
  /** Data keys this call re-wrapped with the primary master key. */
  readonly keysRewrapped: number;
  /** Data keys still wrapped by another master key afterwards: 0 once completed. */
  readonly keysLeftOnOtherMasterKeys: number;
  /** Configurations this call re-encrypted under a fresh data key. */
  readonly configsReencrypted: number;
  /** Configurations still under a data key older than the run (`reencrypt` only): 0 once completed. */
  readonly configsLeftOnOldDataKeys: number;
  /**
   * Data keys older than the run that stay stored (`reencrypt` only). No configuration uses them
   * once completed; they are kept because they are small, wrapped by the primary master key like
   * the others, and a writer that was in flight during the rotation may still reference one.
   */
  readonly oldDataKeysKept: number;
  /** The run over all of its calls. */
  readonly run: {
    readonly startedAt: Date;
    readonly finishedAt: Date | null;
    readonly keysRewrapped: number;
    readonly configsReencrypted: number;
  };
}

/**
 * Rotates the envelope keys while the service keeps taking traffic: re-wraps every tenant data key
 * with the primary master key of ENCRYPTION_KEYS and, with `reencrypt`, re-encrypts every
 * configuration under a fresh data key. In batches, resumable, safe with concurrent writers and
 * with several rotators. Publishes `KeysRotatedEvent` once a rotation completes.
 */
export abstract class KeyRotationService {
  abstract rotate(options?: RotationOptions): Promise<RotationSummary>;
}
