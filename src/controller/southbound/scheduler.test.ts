import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { nodeAction } from './node-action.ts';
import { COALESCE_MS, MAX_COALESCE_MS, REMOTE_BATCH_MS, RETRY_MS, Scheduler, type Decision } from './scheduler.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date', 'performance'] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

/** A scheduler whose decisions are recorded with the (fake) time since the test began. */
function recorded(onDecide?: (d: Decision, s: Scheduler) => void) {
  const start = Date.now();
  const decisions: { at: number; reprogram: boolean; batch: boolean; touched: string[] }[] = [];
  const scheduler: Scheduler = new Scheduler((d) => {
    decisions.push({ at: Date.now() - start, reprogram: d.reprogram, batch: d.batch, touched: [...d.touched].sort() });
    onDecide?.(d, scheduler);
  });
  return { scheduler, decisions };
}

/** The next turn of the event loop: a decision due at once has run. */
const nextTurn = () => vi.advanceTimersToNextTimerAsync();

describe('Scheduler', () => {
  test('mastership events settle at the next turn of the loop, all of them in one decision', async () => {
    const { scheduler, decisions } = recorded();
    scheduler.settle();
    scheduler.settle();
    expect(scheduler.state().timing).toBe('due');
    expect(decisions).toEqual([]); // not within the event itself
    await vi.advanceTimersByTimeAsync(0);
    await nextTurn();
    expect(decisions).toEqual([{ at: 0, reprogram: false, batch: false, touched: [] }]);
    expect(scheduler.state().timing).toBe('idle');
  });

  test('a config change waits until the burst has been quiet COALESCE_MS', async () => {
    const { scheduler, decisions } = recorded();
    scheduler.configChanged();
    expect(scheduler.state()).toMatchObject({ timing: 'debouncing', work: 'reprogram' });
    await vi.advanceTimersByTimeAsync(COALESCE_MS - 1);
    scheduler.configChanged();
    await vi.advanceTimersByTimeAsync(COALESCE_MS - 1);
    expect(decisions).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(decisions).toEqual([{ at: 2 * COALESCE_MS - 1, reprogram: true, batch: false, touched: [] }]);
    await vi.advanceTimersByTimeAsync(100);
    expect(decisions).toHaveLength(1);
  });

  test('a burst that does not go quiet is decided MAX_COALESCE_MS after its start', async () => {
    const { scheduler, decisions } = recorded();
    for (let t = 0; t < 120; t++) {
      scheduler.configChanged();
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(decisions[0]).toEqual({ at: MAX_COALESCE_MS, reprogram: true, batch: false, touched: [] });
    // The next burst starts with the next change, in the same millisecond here.
    expect(decisions[1]?.at).toBe(2 * MAX_COALESCE_MS);
  });

  test('events other than config, during a burst, wait for it', async () => {
    const { scheduler, decisions } = recorded();
    scheduler.configChanged();
    scheduler.settle();
    await vi.advanceTimersByTimeAsync(COALESCE_MS - 1);
    expect(decisions).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(decisions).toEqual([{ at: COALESCE_MS, reprogram: true, batch: false, touched: [] }]);
  });

  test('a config change while a decision is due goes with it', async () => {
    const { scheduler, decisions } = recorded();
    scheduler.settle();
    scheduler.configChanged();
    expect(scheduler.state().timing).toBe('due');
    await nextTurn();
    expect(decisions).toEqual([{ at: 0, reprogram: true, batch: false, touched: [] }]);
    await vi.advanceTimersByTimeAsync(MAX_COALESCE_MS);
    expect(decisions).toHaveLength(1);
  });

  test("a node's changed underlay MAC is config (debounced); an unchanged node only settles", async () => {
    const { scheduler, decisions } = recorded();
    scheduler.nodeChanged('hv1', '02:00:00:00:00:01', []);
    expect(scheduler.state().timing).toBe('debouncing');
    await vi.advanceTimersByTimeAsync(COALESCE_MS);
    scheduler.nodeChanged('hv1', '02:00:00:00:00:01', []);
    await nextTurn();
    expect(decisions).toEqual([
      { at: COALESCE_MS, reprogram: true, batch: false, touched: ['hv1'] },
      { at: COALESCE_MS, reprogram: false, batch: false, touched: ['hv1'] },
    ]);
  });

  test('a plug is urgent: it cancels the burst and reprograms at once, taking the burst along', async () => {
    const { scheduler, decisions } = recorded();
    scheduler.nodeChanged('hv1', 'mac1', []);
    await vi.advanceTimersByTimeAsync(COALESCE_MS);
    scheduler.configChanged();
    await vi.advanceTimersByTimeAsync(1);
    scheduler.nodeChanged('hv1', 'mac1', ['vm1']);
    expect(scheduler.state().timing).toBe('due');
    await nextTurn();
    // A config change was pending beside the plug: every node it reaches goes at once.
    expect(decisions[1]).toEqual({ at: COALESCE_MS + 1, reprogram: true, batch: false, touched: ['hv1'] });
    await vi.advanceTimersByTimeAsync(MAX_COALESCE_MS);
    expect(decisions).toHaveLength(2);
  });

  test('plugs alone are a batch decision; a config change after them, before the decision, is not', async () => {
    const { scheduler, decisions } = recorded();
    scheduler.nodeChanged('hv1', 'mac1', []);
    scheduler.nodeChanged('hv2', 'mac2', []);
    await vi.advanceTimersByTimeAsync(COALESCE_MS);
    scheduler.nodeChanged('hv1', 'mac1', ['vm1']);
    scheduler.nodeChanged('hv2', 'mac2', ['vm2']);
    expect(scheduler.state()).toMatchObject({ work: 'reprogram', plugsOnly: true, touched: ['hv1', 'hv2'] });
    await nextTurn();
    expect(decisions[1]).toEqual({ at: COALESCE_MS, reprogram: true, batch: true, touched: ['hv1', 'hv2'] });
    scheduler.nodeChanged('hv1', 'mac1', []);
    scheduler.configChanged();
    await nextTurn();
    expect(decisions[2]).toMatchObject({ reprogram: true, batch: false });
  });

  test('a plug reprograms its own node at once and the other nodes REMOTE_BATCH_MS later', async () => {
    // What a decision does with three nodes a member masters, all complete, as the member's loop does.
    const complete = new Set(['hv1', 'hv2', 'hv3']);
    const programmed: { at: number; node: string }[] = [];
    const start = Date.now();
    const { scheduler } = recorded((d, s) => {
      for (const node of ['hv1', 'hv2', 'hv3']) {
        // The plug reaches every node of its switch; nothing changed since when the batch runs.
        const reached = d.touched.size > 0;
        const status = {
          mine: true,
          mastered: true,
          complete: complete.has(node),
          running: false,
          touched: d.touched.has(node),
          reached,
          connected: true,
        };
        const action = nodeAction(status, { reprogram: d.reprogram, batch: d.batch, quorate: true });
        if (action === 'defer') {
          complete.delete(node);
          s.deferRemote();
        } else if (action === 'program') {
          programmed.push({ at: Date.now() - start, node });
          complete.add(node);
        }
      }
    });
    scheduler.nodeChanged('hv1', 'mac1', []);
    await vi.advanceTimersByTimeAsync(COALESCE_MS);
    programmed.length = 0;
    scheduler.nodeChanged('hv1', 'mac1', ['vm1']);
    await nextTurn();
    expect(programmed).toEqual([{ at: COALESCE_MS, node: 'hv1' }]);
    expect(scheduler.state().remoteBatch).toBe(true);
    await vi.advanceTimersByTimeAsync(REMOTE_BATCH_MS - 1);
    expect(programmed.map((p) => p.node)).toEqual(['hv1']);
    await vi.advanceTimersByTimeAsync(1);
    // The batch is over: a decision is due at once (fake timers run an immediate queued by a
    // timer 1 ms later, to guard against loops; Node runs it in the same turn).
    expect(scheduler.state()).toMatchObject({ timing: 'due', work: 'reprogram', remoteBatch: false });
    await nextTurn();
    expect(programmed.slice(1).map((p) => p.node)).toEqual(['hv2', 'hv3']);
  });

  test('a failed run is tried again after RETRY_MS, once however often it fails meanwhile', async () => {
    const { scheduler, decisions } = recorded();
    scheduler.retrySoon();
    await vi.advanceTimersByTimeAsync(50);
    scheduler.retrySoon();
    await vi.advanceTimersByTimeAsync(RETRY_MS - 51);
    expect(decisions).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(scheduler.state().timing).toBe('debouncing');
    await vi.advanceTimersByTimeAsync(COALESCE_MS);
    expect(decisions).toEqual([{ at: RETRY_MS + COALESCE_MS, reprogram: true, batch: false, touched: [] }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(decisions).toHaveLength(1);
  });

  test('stop: nothing more is asked for, and the retry and the batch are dropped', async () => {
    const { scheduler, decisions } = recorded();
    scheduler.retrySoon();
    scheduler.deferRemote();
    scheduler.stop();
    scheduler.settle();
    scheduler.configChanged();
    scheduler.nodeChanged('hv1', 'mac1', ['vm1']);
    scheduler.retrySoon();
    await vi.advanceTimersByTimeAsync(1000);
    expect(decisions).toEqual([]);
    expect(scheduler.state()).toMatchObject({ timing: 'idle', remoteBatch: false, retry: false });
  });
});
