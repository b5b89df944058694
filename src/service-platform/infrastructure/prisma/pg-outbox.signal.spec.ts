import { schemaOf } from './pg-outbox.signal';

describe('schemaOf (outbox notification payload)', () => {
  it('is the payload before its last space', () => {
    expect(schemaOf('public 01a2171c-0b3e-7c55-9a41-2f3b7d0c9e11')).toBe('public');
    expect(schemaOf('my schema 01a2171c-0b3e-7c55-9a41-2f3b7d0c9e11')).toBe('my schema');
    expect(schemaOf('public')).toBe('public');
    expect(schemaOf(undefined)).toBeUndefined();
  });
});
