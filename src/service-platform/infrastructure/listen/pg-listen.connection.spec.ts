import { payloadFields } from './pg-listen.connection';

const ID = '01a2171c-0b3e-7c55-9a41-2f3b7d0c9e11';

describe('payloadFields (notification payload `<schema> <field> …`)', () => {
  it('gives the fields after this schema', () => {
    expect(payloadFields(`public ${ID}`, 'public', 1)).toEqual([ID]);
    expect(payloadFields(`public ${ID} 7`, 'public', 2)).toEqual([ID, '7']);
  });

  it('handles schemas with spaces, and tells `a` from `a b`', () => {
    expect(payloadFields(`my schema ${ID}`, 'my schema', 1)).toEqual([ID]);
    expect(payloadFields(`a b ${ID}`, 'a', 1)).toBeUndefined();
    expect(payloadFields(`a ${ID}`, 'a b', 1)).toBeUndefined();
  });

  it('ignores other schemas, missing payloads and the wrong number of fields', () => {
    expect(payloadFields(`other ${ID}`, 'public', 1)).toBeUndefined();
    expect(payloadFields('public', 'public', 1)).toBeUndefined();
    expect(payloadFields(`public ${ID}`, 'public', 2)).toBeUndefined();
    expect(payloadFields(`public ${ID}  `, 'public', 1)).toBeUndefined();
    expect(payloadFields(undefined, 'public', 1)).toBeUndefined();
  });
});
