import { describe, expect, test } from 'vitest';
import { memoize } from './memo.ts';

describe('memoize', () => {
  test('computes a key once, and again only after the cache filled up and was emptied', () => {
    const calls: string[] = [];
    const f = memoize((k) => (calls.push(k), k.length), 2);
    expect([f('a'), f('bb'), f('a')]).toEqual([1, 2, 1]);
    expect(calls).toEqual(['a', 'bb']);
    f('ccc'); // the third key empties the cache first
    f('a');
    expect(calls).toEqual(['a', 'bb', 'ccc', 'a']);
  });
});
