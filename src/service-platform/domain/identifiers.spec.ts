import { assertServiceName, assertUuid, isUuid, newTimeOrderedId } from './identifiers';
import { RequestValidationError } from './platform.errors';

describe('identifiers', () => {
  it('makes UUIDv7 ids that are valid UUIDs, strictly increasing within a millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newTimeOrderedId(1_800_000_000_000));
    expect(ids.every((id) => isUuid(id) && id[14] === '7' && '89ab'.includes(id[19] ?? ''))).toBe(
      true,
    );
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('orders ids by their creation time and never goes back with the clock', () => {
    const early = newTimeOrderedId(1_900_000_000_000);
    const late = newTimeOrderedId(1_900_000_000_001);
    const clockBehind = newTimeOrderedId(1_800_000_000_000);
    expect(early < late && late < clockBehind).toBe(true);
  });

  it('normalises UUIDs to lower case and rejects anything else', () => {
    expect(assertUuid('0B5E5BD6-6C43-4C0B-9D1E-1C1F3F9A2B10', 'id')).toBe(
      '0b5e5bd6-6c43-4c0b-9d1e-1c1f3f9a2b10',
    );
    expect(() => assertUuid('0b5e5bd6', 'id')).toThrow(RequestValidationError);
    expect(() => assertUuid(42, 'id')).toThrow(RequestValidationError);
  });

  it.each(['outlook', 'google_workspace', 'ms-teams2', 'a'.repeat(64)])('accepts %s', (name) => {
    expect(assertServiceName(name)).toBe(name);
  });

  it.each(['Outlook', '1gmail', '', 'a'.repeat(65), 'slack!', '-x'])('rejects %j', (name) => {
    expect(() => assertServiceName(name)).toThrow(RequestValidationError);
  });
});
