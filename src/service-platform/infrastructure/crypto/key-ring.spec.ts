import { InvalidKeyRingError, KeyRing } from './key-ring';

const key = (byte: number): string => Buffer.alloc(32, byte).toString('base64');

describe('KeyRing', () => {
  it('parses id:base64 entries; the first is primary, all can be found', () => {
    const ring = KeyRing.parse(`k2:${key(2)}, k1:${key(1)}`);
    expect(ring.primary.id).toBe('k2');
    expect(ring.ids).toEqual(['k2', 'k1']);
    expect(ring.find('k1')?.material).toEqual(Buffer.alloc(32, 1));
    expect(ring.find('k3')).toBeUndefined();
  });

  it.each([
    ['', 'no key given'],
    ['nocolon', "entry 1 must be 'id:base64key'"],
    [`bad id:${key(1)}`, "entry 1 must be 'id:base64key'"],
    ['k1:c2hvcnQ=', "key 'k1' must be 32 random bytes"],
    ['k1:not*base64', "key 'k1' must be 32 random bytes"],
    [`k1:${key(1)},k1:${key(2)}`, "key id 'k1' appears twice"],
  ])('rejects %j with a clear message', (spec, message) => {
    expect(() => KeyRing.parse(spec)).toThrow(InvalidKeyRingError);
    expect(() => KeyRing.parse(spec)).toThrow(message);
  });

  it('never puts key material in its error messages', () => {
    const material = Buffer.alloc(31, 7).toString('base64');
    try {
      KeyRing.parse(`k1:${material}`);
      throw new Error('expected an error');
    } catch (error) {
      expect((error as Error).message).not.toContain(material);
    }
  });
});
