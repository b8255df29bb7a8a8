import { ExpiringCache } from '../../../src/activities/common/expiring-cache';

/** The worker's in-process cache of Partner Center reads (src/activities/common/expiring-cache.ts). */

function cacheAt(clock: { now: number }, maxEntries = 10) {
  return new ExpiringCache<number>({ ttlMs: 1_000, maxEntries, now: () => clock.now });
}

describe('ExpiringCache', () => {
  it('reads a key once while it is fresh, and again once its time to live has passed', async () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    const read = jest.fn(async () => clock.now);
    expect(await cache.get('a', read)).toBe(0);
    clock.now = 999;
    expect(await cache.get('a', read)).toBe(0);
    expect(read).toHaveBeenCalledTimes(1);
    clock.now = 1_000;
    expect(await cache.get('a', read)).toBe(1_000);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('shares a read under way between callers', async () => {
    const cache = cacheAt({ now: 0 });
    let answer: (value: number) => void = () => {};
    const read = jest.fn(() => new Promise<number>((resolve) => (answer = resolve)));
    const both = Promise.all([cache.get('a', read), cache.get('a', read)]);
    answer(7);
    expect(await both).toEqual([7, 7]);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed read: the next caller reads again', async () => {
    const cache = cacheAt({ now: 0 });
    await expect(cache.get('a', () => Promise.reject(new Error('503')))).rejects.toThrow('503');
    expect(cache.size).toBe(0);
    expect(await cache.get('a', async () => 5)).toBe(5);
  });

  it('keeps at most maxEntries, dropping the oldest first', async () => {
    const cache = cacheAt({ now: 0 }, 2);
    const read = jest.fn(async () => 1);
    for (const key of ['a', 'b', 'c']) await cache.get(key, read);
    expect(cache.size).toBe(2);
    await cache.get('c', read);
    await cache.get('b', read);
    expect(read).toHaveBeenCalledTimes(3);
    await cache.get('a', read); // dropped when c came in
    expect(read).toHaveBeenCalledTimes(4);
  });
});
