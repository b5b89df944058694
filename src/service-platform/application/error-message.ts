/** The message of whatever was thrown, for a log line or a stored reason. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
