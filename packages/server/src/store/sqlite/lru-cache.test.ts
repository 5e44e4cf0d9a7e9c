import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('keeps recently used entries and drops the least recently used ones', () => {
    const cache = new LruCache<number, string>(4);
    for (let i = 0; i < 4; i++) cache.set(i, `v${i}`);
    expect(cache.get(0)).toBe('v0'); // used again: survives the next turnover
    for (let i = 4; i < 7; i++) cache.set(i, `v${i}`);
    expect(cache.get(0)).toBe('v0');
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(6)).toBe('v6');
  });

  it('replaces, deletes, clears, and caches nothing at capacity 0', () => {
    const cache = new LruCache<string, number>(10);
    cache.set('a', 1);
    cache.set('a', 2);
    expect(cache.get('a')).toBe(2);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 1);
    cache.clear();
    expect(cache.get('b')).toBeUndefined();
    const none = new LruCache<string, number>(0);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
  });
});
