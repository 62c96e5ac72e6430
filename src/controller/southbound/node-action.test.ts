import { describe, expect, test } from 'vitest';
import { nodeAction, touchedFirst, type NodeStatus } from './node-action.ts';

const node = (status: Partial<NodeStatus> = {}): NodeStatus => ({
  mine: true,
  mastered: true,
  complete: true,
  running: false,
  touched: false,
  reached: false,
  connected: true,
  ...status,
});
const settle = { reprogram: false, batch: false, quorate: true };
const config = { reprogram: true, batch: false, quorate: true };
const plugs = { reprogram: true, batch: true, quorate: true };

describe('nodeAction', () => {
  test('a node not this member’s is relinquished, whatever else', () => {
    expect(nodeAction(node({ mine: false }), config)).toBe('relinquish');
    expect(nodeAction(node({ mine: false, mastered: false, touched: true }), plugs)).toBe('relinquish');
  });

  test('a node of its own not mastered yet is taken at every decision, only with a quorum', () => {
    expect(nodeAction(node({ mastered: false, complete: false }), settle)).toBe('program');
    expect(nodeAction(node({ mastered: false, complete: false }), { ...settle, quorate: false })).toBe('keep');
    expect(nodeAction(node({ mastered: false, touched: true }), { ...config, quorate: false })).toBe('keep');
    // Not connected (no OVSDB session yet): nothing to take; its session coming up decides again.
    expect(nodeAction(node({ mastered: false, complete: false, connected: false }), config)).toBe('keep');
    expect(nodeAction(node({ complete: false, connected: false }), config)).toBe('program'); // mastered: as before
  });

  test('a mastered node runs when its switch changed, or a config change reaches it, or it was left incomplete', () => {
    expect(nodeAction(node(), settle)).toBe('keep');
    expect(nodeAction(node({ touched: true }), settle)).toBe('program');
    expect(nodeAction(node({ complete: false }), settle)).toBe('keep'); // settling alone programs nothing
    expect(nodeAction(node(), config)).toBe('keep'); // not reached
    expect(nodeAction(node({ reached: true }), config)).toBe('program');
    expect(nodeAction(node({ complete: false }), config)).toBe('program');
    // Mastered without a quorum: it keeps being programmed (nothing to take).
    expect(nodeAction(node({ reached: true }), { ...config, quorate: false })).toBe('program');
  });

  test('plugs alone: the plugged node at once, the other complete nodes they reach in the remote batch', () => {
    expect(nodeAction(node({ touched: true, reached: true }), plugs)).toBe('program');
    expect(nodeAction(node({ reached: true }), plugs)).toBe('defer');
    // A node running meanwhile, or already left incomplete (deferred by an earlier plug), is
    // programmed now like any reached node.
    expect(nodeAction(node({ reached: true, running: true }), plugs)).toBe('program');
    expect(nodeAction(node({ reached: true, complete: false }), plugs)).toBe('program');
    expect(nodeAction(node(), plugs)).toBe('keep');
  });
});

describe('touchedFirst', () => {
  test('touched nodes first, each group in its order; the same array when none is touched', () => {
    const nodes = ['hv1', 'hv2', 'hv3', 'hv4'].map((name) => ({ name }));
    expect(touchedFirst(nodes, new Set(['hv3', 'hv2'])).map((n) => n.name)).toEqual(['hv2', 'hv3', 'hv1', 'hv4']);
    expect(touchedFirst(nodes, new Set())).toBe(nodes);
  });
});
