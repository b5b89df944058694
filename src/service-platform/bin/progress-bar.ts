import type { RotationProgress } from '../application/key-rotation/key-rotation.service';

const LABELS: Record<RotationProgress['phase'], string> = {
  rewrap: 'Re-wrapping data keys',
  reencrypt: 'Re-encrypting configurations',
};
const WIDTH = 30;

/** What the bar writes to: stderr, or a fake in tests. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Progress of a rotation on stderr: one line redrawn in place (`\r`) on a terminal, otherwise
 * (a log file, CI) one line per 10 % so that logs stay short.
 */
export class ProgressBar {
  private phase: RotationProgress['phase'] | undefined;
  private lineOpen = false;
  private lastDecile = -1;

  constructor(private readonly out: ProgressOutput) {}

  update(progress: RotationProgress): void {
    if (progress.phase !== this.phase) {
      this.end();
      this.phase = progress.phase;
      this.lastDecile = -1;
    }
    const total = Math.max(progress.total, progress.done, 1);
    const ratio = progress.done / total;
    const text = `${LABELS[progress.phase]} ${bar(ratio)} ${Math.floor(ratio * 100)}% ${progress.done}/${total}`;
    if (this.out.isTTY === true) {
      this.out.write(`\r${text}\x1b[K`);
      this.lineOpen = true;
      return;
    }
    const decile = Math.floor(ratio * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.out.write(`${text}\n`);
    }
  }

  /** Ends the redrawn line, so that what follows starts on a line of its own. */
  end(): void {
    if (this.lineOpen) this.out.write('\n');
    this.lineOpen = false;
  }
}

function bar(ratio: number): string {
  const filled = Math.round(ratio * WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}]`;
}
