import type {
  RotationOptions,
  RotationProgress,
} from '../../application/key-rotation/key-rotation.service';
import { RotationInterruptedError } from '../../application/key-rotation/rotation-interrupted.error';

export const DEFAULT_BATCH_SIZE = 100;
export const MAX_BATCH_SIZE = 1000;

/**
 * The pace of one rotation call: batch size, progress reports, counts so far, and the only place
 * it stops early (after a committed batch, when the caller's signal is aborted).
 */
export class RotationBatches {
  keysRewrapped = 0;
  configsReencrypted = 0;

  constructor(
    private readonly rotationId: string,
    readonly size: number,
    private readonly options: RotationOptions,
  ) {}

  /** The validated batch size of `options`. */
  static sizeOf(options: RotationOptions): number {
    const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
      throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}`);
    }
    return size;
  }

  /** Reports the start of a phase; refuses to start one when already aborted. */
  start(phase: RotationProgress['phase'], total: number): void {
    this.options.onProgress?.({ phase, done: 0, total });
    this.stopIfAborted();
  }

  /** After each committed batch: adds what it changed, reports, and stops if asked to. */
  committed(
    progress: RotationProgress,
    changed: { keysRewrapped?: number; configsReencrypted?: number },
  ): void {
    this.keysRewrapped += changed.keysRewrapped ?? 0;
    this.configsReencrypted += changed.configsReencrypted ?? 0;
    this.options.onProgress?.(progress);
    this.stopIfAborted();
  }

  stopIfAborted(): void {
    if (this.options.signal?.aborted === true) {
      throw new RotationInterruptedError(
        this.rotationId,
        this.keysRewrapped,
        this.configsReencrypted,
      );
    }
  }
}
