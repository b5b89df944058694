import { RequestValidationError } from '../../domain/platform.errors';

/** `"3"`, `W/"3"` or a bare `3` (quotes balanced); `*` is handled apart. */
const IF_MATCH = /^(?:(?:W\/)?"(\d{1,9})"|(\d{1,9}))$/;

/**
 * The expected version from `If-Match` and/or the body's `version`. Both given and different is a
 * contradiction the client must resolve (400).
 */
export function expectedVersion(
  ifMatch: string | undefined,
  bodyVersion: number | undefined,
): number | undefined {
  let fromHeader: number | undefined;
  const header = ifMatch?.trim();
  if (header !== undefined && header !== '' && header !== '*') {
    const match = IF_MATCH.exec(header);
    if (match === null) {
      throw new RequestValidationError('If-Match must be the ETag of a version, e.g. "3"', [
        { field: 'If-Match', message: 'must be the ETag of a version, e.g. "3"' },
      ]);
    }
    fromHeader = Number(match[1] ?? match[2]);
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw new RequestValidationError('If-Match and version disagree', [
      { field: 'version', message: 'disagrees with the If-Match header' },
    ]);
  }
  return fromHeader ?? bodyVersion;
}

export function etagOf(version: number): string {
  return `"${version}"`;
}
