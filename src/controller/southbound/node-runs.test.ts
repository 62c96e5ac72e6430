import { describe, expect, test, vi } from 'vitest';
import { NodeRuns } from './node-runs.ts';

/** Runs that end when the test says so. */
function controlled() {
  const pending: { node: string; end: (complete: boolean) => void; fail: (error: Error) => void }[] = [];
  const run = vi.fn(
    (node: string) =>
      new Promise<boolean>((resolve, reject) => {
        pending.push({ node, end: resolve, fail: reject });
      }),
  );
  const hooks = { started: vi.fn(), ended: vi.fn(), failed: vi.fn() };
  return { runs: new NodeRuns(run, hooks), run, pending, hooks };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('NodeRuns', () => {
  test('a run that leaves the node complete makes it complete', async () => {
    const { runs, pending, hooks } = controlled();
    runs.kick('hv1');
    expect(runs.isRunning('hv1')).toBe(true);
    expect(runs.isComplete('hv1')).toBe(false);
    pending[0]!.end(true);
    await settled();
    expect(runs.isRunning('hv1')).toBe(false);
    expect(runs.completed()).toEqual(['hv1']);
    expect(hooks.started).toHaveBeenCalledTimes(1);
    expect(hooks.ended).toHaveBeenCalledTimes(1);
  });

  test('kicked while running: runs once more after, however often it was kicked, and is not complete until then', async () => {
    const { runs, run, pending } = controlled();
    runs.kick('hv1');
    runs.kick('hv1');
    runs.kick('hv1');
    expect(run).toHaveBeenCalledTimes(1);
    pending[0]!.end(true);
    await settled();
    expect(run).toHaveBeenCalledTimes(2);
    expect(runs.isComplete('hv1')).toBe(false);
    pending[1]!.end(true);
    await settled();
    expect(run).toHaveBeenCalledTimes(2);
    expect(runs.isComplete('hv1')).toBe(true);
  });

  test('nodes run independently', async () => {
    const { runs, run, pending } = controlled();
    runs.kick('hv1');
    runs.kick('hv2');
    expect(run.mock.calls).toEqual([['hv1'], ['hv2']]);
    pending[1]!.end(true);
    await settled();
    expect(runs.completed()).toEqual(['hv2']);
    expect(runs.isRunning('hv1')).toBe(true);
  });

  test('a run that leaves something out, or fails, makes the node incomplete; a failure goes to the hook', async () => {
    const { runs, pending, hooks } = controlled();
    runs.kick('hv1');
    pending[0]!.end(true);
    await settled();
    runs.kick('hv1');
    expect(runs.isComplete('hv1')).toBe(true); // still, while its next run goes on
    pending[1]!.end(false);
    await settled();
    expect(runs.isComplete('hv1')).toBe(false);
    runs.kick('hv1');
    const error = new Error('no quorum');
    pending[2]!.fail(error);
    await settled();
    expect(hooks.failed).toHaveBeenCalledWith('hv1', error);
    expect(runs.isComplete('hv1')).toBe(false);
    expect(runs.isRunning('hv1')).toBe(false);
  });

  test('incomplete() holds until the next run says otherwise', async () => {
    const { runs, pending } = controlled();
    runs.kick('hv1');
    pending[0]!.end(true);
    await settled();
    runs.incomplete('hv1');
    expect(runs.completed()).toEqual([]);
    runs.kick('hv1');
    pending[1]!.end(true);
    await settled();
    expect(runs.completed()).toEqual(['hv1']);
  });

  test('no more than the bound run at once; the others start in the order they were kicked as runs end', async () => {
    const pending: { node: string; end: (complete: boolean) => void }[] = [];
    const run = vi.fn((node: string) => new Promise<boolean>((resolve) => pending.push({ node, end: resolve })));
    const runs = new NodeRuns(run, { started: vi.fn(), ended: vi.fn(), failed: vi.fn() }, 2);
    for (const node of ['hv1', 'hv2', 'hv3', 'hv4']) runs.kick(node);
    runs.kick('hv3'); // already waiting: once is enough
    expect(run.mock.calls).toEqual([['hv1'], ['hv2']]);
    expect(runs.isRunning('hv4')).toBe(true); // waiting counts as running for the caller
    pending[0]!.end(true);
    await settled();
    await settled();
    expect(run.mock.calls).toEqual([['hv1'], ['hv2'], ['hv3']]);
    pending[1]!.end(true);
    pending[2]!.end(true);
    await settled();
    await settled();
    expect(run.mock.calls).toEqual([['hv1'], ['hv2'], ['hv3'], ['hv4']]);
    pending[3]!.end(true);
    await settled();
    await settled();
    expect(runs.completed().sort()).toEqual(['hv1', 'hv2', 'hv3', 'hv4']);
    expect(runs.isRunning('hv4')).toBe(false);
  });
});
