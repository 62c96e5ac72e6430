import { describe, expect, test } from 'vitest';
import { ownerOf } from './assign.ts';

const nodes = Array.from({ length: 60 }, (_, i) => `hv${i + 1}`);

describe('ownerOf', () => {
  test('spreads nodes over every member', () => {
    const counts = new Map<string, number>();
    for (const n of nodes)
      counts.set(ownerOf(n, ['ctrl1', 'ctrl2', 'ctrl3'])!, (counts.get(ownerOf(n, ['ctrl1', 'ctrl2', 'ctrl3'])!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['ctrl1', 'ctrl2', 'ctrl3']);
    for (const c of counts.values()) expect(c).toBeGreaterThan(8);
  });

  test('losing a member moves only its nodes', () => {
    for (const n of nodes) {
      const before = ownerOf(n, ['ctrl1', 'ctrl2', 'ctrl3']);
      const after = ownerOf(n, ['ctrl1', 'ctrl3']);
      if (before !== 'ctrl2') expect(after).toBe(before);
      else expect(['ctrl1', 'ctrl3']).toContain(after);
    }
  });

  test('does not depend on the order members are listed in, and has no owner without members', () => {
    expect(ownerOf('hv1', ['ctrl3', 'ctrl1', 'ctrl2'])).toBe(ownerOf('hv1', ['ctrl1', 'ctrl2', 'ctrl3']));
    expect(ownerOf('hv1', [])).toBeUndefined();
  });
});
