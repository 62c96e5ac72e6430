import { describe, expect, test, vi } from 'vitest';
import { ownerOf } from './assign.ts';
import { holdersFrom, isMine, isQuorate, liveMembers } from './decision.ts';

const members = ['ctrl1', 'ctrl2', 'ctrl3'];
/** A node each member owns among all three, and which ctrl2's loss gives to each of the others. */
const nodes = Array.from({ length: 40 }, (_, i) => `hv${i + 1}`);
const ownedBy = (member: string, live = members) => nodes.find((n) => ownerOf(n, live) === member)!;

describe('liveMembers', () => {
  test('peers with a lease and an open link, and this member whatever its lease', () => {
    const up = new Set(['ctrl2']);
    expect(liveMembers('ctrl1', ['ctrl1', 'ctrl2', 'ctrl3'], (m) => up.has(m))).toEqual(['ctrl1', 'ctrl2']);
    expect(liveMembers('ctrl1', ['ctrl2', 'ctrl3'], (m) => up.has(m))).toEqual(['ctrl2', 'ctrl1']);
    // A link alone does not make a peer live: its lease must show too.
    expect(liveMembers('ctrl1', ['ctrl1'], () => true)).toEqual(['ctrl1']);
  });

  test('asks about peers only, never about itself', () => {
    const isUp = vi.fn(() => false);
    liveMembers('ctrl1', ['ctrl1', 'ctrl3'], isUp);
    expect(isUp.mock.calls).toEqual([['ctrl3']]);
  });
});

describe('isQuorate', () => {
  test('this member and its linked peers are more than half the cluster', () => {
    expect(isQuorate(0, 1)).toBe(true);
    expect(isQuorate(0, 3)).toBe(false);
    expect(isQuorate(1, 3)).toBe(true);
    expect(isQuorate(2, 3)).toBe(true);
    expect(isQuorate(1, 5)).toBe(false);
    expect(isQuorate(2, 5)).toBe(true);
  });
});

describe('isMine', () => {
  const never = () => {
    throw new Error('holders read although no node is being handed over');
  };

  test('the rendezvous owner among the live members, without reading the holders', () => {
    const node = ownedBy('ctrl1');
    expect(isMine(node, { me: 'ctrl1', live: members, mastering: false, holderOf: never })).toBe(true);
    expect(isMine(node, { me: 'ctrl1', live: members, mastering: true, holderOf: never })).toBe(true);
    expect(isMine(node, { me: 'ctrl2', live: members, mastering: false, holderOf: never })).toBe(false);
  });

  test('a master keeps a node until its new owner has taken it (the Mastership row names the owner)', () => {
    // ctrl2 was out, ctrl1 took its node; ctrl2 is back and owns it again by rendezvous.
    const node = nodes.find((n) => ownerOf(n, members) === 'ctrl2' && ownerOf(n, ['ctrl1', 'ctrl3']) === 'ctrl1')!;
    expect(isMine(node, { me: 'ctrl1', live: members, mastering: true, holderOf: () => 'ctrl1' })).toBe(true);
    expect(isMine(node, { me: 'ctrl1', live: members, mastering: true, holderOf: () => 'ctrl2' })).toBe(false);
    // Not mastering it: the holder row does not make it ours.
    expect(isMine(node, { me: 'ctrl1', live: members, mastering: false, holderOf: () => 'ctrl1' })).toBe(false);
    // Meanwhile the returning owner takes it (its bump then names it).
    expect(isMine(node, { me: 'ctrl2', live: members, mastering: false, holderOf: never })).toBe(true);
  });

  test("a member's loss moves its nodes to the survivors", () => {
    const node = ownedBy('ctrl2');
    const live = ['ctrl1', 'ctrl3'];
    const survivor = ownerOf(node, live)!;
    expect(isMine(node, { me: survivor, live, mastering: false, holderOf: never })).toBe(true);
  });
});

describe('holdersFrom', () => {
  test('reads the Mastership rows at the first question only', () => {
    const read = vi.fn(() => [
      { node: 'hv1', member: 'ctrl1' },
      { node: 'hv2', member: 'ctrl2' },
    ]);
    const holderOf = holdersFrom(read);
    expect(read).not.toHaveBeenCalled();
    expect(holderOf('hv2')).toBe('ctrl2');
    expect(holderOf('hv1')).toBe('ctrl1');
    expect(holderOf('hv9')).toBeUndefined();
    expect(read).toHaveBeenCalledTimes(1);
  });
});
