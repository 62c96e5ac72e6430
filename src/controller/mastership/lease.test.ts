import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { AUDIT_EVERY, Heartbeat, HEARTBEAT_MS, LEASE_MS } from './lease.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

/** A store whose heartbeat write takes `ms` (fake time) and then succeeds or fails. */
function fakeStore(ms = 0, fail = false) {
  const writes: { member: string; expires: number; timeoutMs: number | undefined; at: number }[] = [];
  const store = {
    heartbeat: (member: string, expires: number, options: { timeoutMs?: number } = {}) => {
      writes.push({ member, expires, timeoutMs: options.timeoutMs, at: Date.now() });
      if (ms === 0) return fail ? Promise.reject(new Error('no quorum')) : Promise.resolve();
      return new Promise<void>((resolve, reject) => setTimeout(() => (fail ? reject(new Error('no quorum')) : resolve()), ms));
    },
  };
  return { store, writes };
}

describe('Heartbeat', () => {
  test('renews the lease every HEARTBEAT_MS, for LEASE_MS from when it was sent', async () => {
    const { store, writes } = fakeStore();
    const beat = vi.fn();
    const hb = new Heartbeat('ctrl1', store, { beat, audit: () => {} });
    hb.start();
    await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_MS);
    expect(writes.map((w) => w.at - 1_000_000)).toEqual([0, 500, 1000, 1500]);
    expect(writes[1]).toEqual({ member: 'ctrl1', expires: 1_000_000 + 500 + LEASE_MS, timeoutMs: LEASE_MS, at: 1_000_500 });
    expect(beat).toHaveBeenCalledTimes(4);
    hb.stop();
  });

  test('a slow write does not delay the next beat beyond HEARTBEAT_MS from its start', async () => {
    const { store, writes } = fakeStore(200);
    const beat = vi.fn();
    const hb = new Heartbeat('ctrl1', store, { beat, audit: () => {} });
    hb.start();
    await vi.advanceTimersByTimeAsync(199);
    expect(beat).not.toHaveBeenCalled(); // the decision follows the write
    await vi.advanceTimersByTimeAsync(1);
    expect(beat).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(writes.map((w) => w.at - 1_000_000)).toEqual([0, 500, 1000]);
    hb.stop();
  });

  test('a write that fails (no quorum) still leads to a decision, and the beats go on', async () => {
    const { store, writes } = fakeStore(10, true);
    const beat = vi.fn();
    const hb = new Heartbeat('ctrl1', store, { beat, audit: () => {} });
    hb.start();
    await vi.advanceTimersByTimeAsync(1100);
    expect(writes).toHaveLength(3);
    expect(beat).toHaveBeenCalledTimes(3);
    hb.stop();
  });

  test('audits every AUDIT_EVERY beats, after the decision of that beat', async () => {
    const { store } = fakeStore();
    const calls: string[] = [];
    const hb = new Heartbeat('ctrl1', store, { beat: () => calls.push('beat'), audit: () => calls.push('audit') });
    hb.start();
    await vi.advanceTimersByTimeAsync((2 * AUDIT_EVERY - 1) * HEARTBEAT_MS);
    expect(AUDIT_EVERY).toBe(4);
    expect(calls).toEqual(['beat', 'beat', 'beat', 'beat', 'audit', 'beat', 'beat', 'beat', 'beat', 'audit']);
    hb.stop();
  });

  test('stop ends the beats', async () => {
    const { store, writes } = fakeStore();
    const hb = new Heartbeat('ctrl1', store, { beat: () => {}, audit: () => {} });
    hb.start();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    hb.stop();
    await vi.advanceTimersByTimeAsync(10 * HEARTBEAT_MS);
    expect(writes).toHaveLength(2);
  });
});
