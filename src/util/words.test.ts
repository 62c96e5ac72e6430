import { describe, expect, test } from 'vitest';
import { andList, orList, plural } from './words.ts';

describe('words', () => {
  test('plural counts in the right number', () => {
    expect([plural(0, 'tunnel'), plural(1, 'tunnel'), plural(2, 'copy', 'copies')]).toEqual(['0 tunnels', '1 tunnel', '2 copies']);
  });

  test('lists read as people write them', () => {
    expect([andList([]), andList(['a']), andList(['a', 'b']), andList(['a', 'b', 'c'])]).toEqual(['', 'a', 'a and b', 'a, b and c']);
    expect(orList(['port', 'host', 'IPv4 address'])).toBe('port, host or IPv4 address');
  });
});
