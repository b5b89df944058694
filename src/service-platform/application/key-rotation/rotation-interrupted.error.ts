/** A rotation stopped early on request (its `AbortSignal`), between two committed batches. */
export class RotationInterruptedError extends Error {
  constructor(
    readonly rotationId: string,
    readonly keysRewrapped: number,
    readonly configsReencrypted: number,
  ) {
    super(
      `Key rotation ${rotationId} was interrupted after re-wrapping ${keysRewrapped} data key(s) ` +
        `and re-encrypting ${configsReencrypted} configuration(s); run it again to resume.`,
    );
    this.name = 'RotationInterruptedError';
  }
}
