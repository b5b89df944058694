import type { AuthenticatedUser } from './authenticated-user';
import { VerifiedTokenCache } from './verified-token.cache';

const user = (sub: string): AuthenticatedUser => ({ sub, roles: ['platform-admin'] });

describe('VerifiedTokenCache', () => {
  it('gives back a verified token’s user until the token expires, then forgets it', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(10, 60_000, () => now);
    cache.set('t1', user('a'), now / 1000 + 10);
    expect(cache.get('t1')).toEqual(user('a'));
    now += 9_999;
    expect(cache.get('t1')).toEqual(user('a'));
    now += 1;
    expect(cache.get('t1')).toBeUndefined();
  });

  it('keeps a token at most maxAge, and never one already expired', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(10, 60_000, () => now);
    cache.set('long', user('a'), now / 1000 + 86_400);
    cache.set('none', user('b'), undefined);
    cache.set('past', user('c'), now / 1000 - 1);
    expect(cache.get('past')).toBeUndefined();
    now += 60_000;
    expect(cache.get('long')).toBeUndefined();
    expect(cache.get('none')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const cache = new VerifiedTokenCache(2, 60_000, () => 0);
    cache.set('t1', user('a'), undefined);
    cache.set('t2', user('b'), undefined);
    cache.set('t3', user('c'), undefined);
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')).toEqual(user('b'));
    expect(cache.get('t3')).toEqual(user('c'));
  });

  it('shares a frozen copy of the user, which no request can change for the next', () => {
    const cache = new VerifiedTokenCache(10, 60_000, () => 0);
    const original = { sub: 'a', roles: ['tenant-admin'] } as AuthenticatedUser;
    cache.set('t1', original, undefined);
    const shared = cache.get('t1');
    expect(Object.isFrozen(shared)).toBe(true);
    expect(Object.isFrozen(shared?.roles)).toBe(true);
    (original as { sub: string }).sub = 'changed';
    expect(cache.get('t1')?.sub).toBe('a');
  });
});
