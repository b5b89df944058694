import { RequestValidationError } from '../../domain/platform.errors';
import { etagOf, expectedVersion } from './if-match';

describe('If-Match', () => {
  it.each([
    ['"3"', undefined, 3],
    ['W/"3"', undefined, 3],
    ['3', undefined, 3],
    ['*', undefined, undefined],
    [undefined, 4, 4],
    ['"4"', 4, 4],
    [undefined, undefined, undefined],
  ])('If-Match %j with body version %j expects %j', (header, body, expected) => {
    expect(expectedVersion(header, body)).toBe(expected);
  });

  it.each([['"abc"'], ['"3", "4"'], ['-1'], ['"1'], ['1"'], ['W/3']])(
    'rejects the malformed header %j',
    (header) => {
      expect(() => expectedVersion(header, undefined)).toThrow(RequestValidationError);
    },
  );

  it('rejects a header and a body that disagree', () => {
    expect(() => expectedVersion('"3"', 4)).toThrow(/disagree/);
  });

  it('formats the ETag as a quoted version', () => {
    expect(etagOf(7)).toBe('"7"');
  });
});
