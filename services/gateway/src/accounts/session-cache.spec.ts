import { SessionCache } from './session-cache';

describe('SessionCache', () => {
  it('believes a live session for its TTL, to the millisecond, then asks again', () => {
    const cache = new SessionCache(5000);
    expect(cache.get('s', 0)).toBeUndefined();
    cache.set('s', true, 1000);
    expect(cache.get('s', 5999)).toBe(true);
    expect(cache.get('s', 6000)).toBeUndefined();
  });

  it('believes an ended session for good, and an end overrides a live answer at once', () => {
    const cache = new SessionCache(5000);
    cache.set('s', true, 0);
    cache.set('s', false, 1);
    expect(cache.get('s', 2)).toBe(false);
    expect(cache.get('s', 10 * 365 * 86_400_000)).toBe(false);
    // A check that read "live" before the logout committed, answering after it.
    cache.set('s', true, 3);
    expect(cache.get('s', 4)).toBe(false);
  });

  it('with a TTL of 0 keeps no live answer but still remembers ends', () => {
    const cache = new SessionCache(0);
    cache.set('live', true, 0);
    cache.set('ended', false, 0);
    expect(cache.get('live', 0)).toBeUndefined();
    expect(cache.get('ended', 0)).toBe(false);
  });

  it('drops the entry written longest ago past its size', () => {
    const cache = new SessionCache(5000, 2);
    cache.set('a', false, 0);
    cache.set('b', true, 0);
    cache.set('a', false, 1); // written again: now the newest
    cache.set('c', true, 2);
    expect(cache.get('b', 3)).toBeUndefined();
    expect(cache.get('a', 3)).toBe(false);
    expect(cache.get('c', 3)).toBe(true);
  });
});
