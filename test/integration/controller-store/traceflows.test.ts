// Injected traceflows' rows in a real 3-member NvStore cluster: a trace written through one
// member is seen by another with its request; each member's report is one row, replaced as it
// moves from armed to observed; the packet's injection and the end are written once, and only
// while the trace runs; old traces are pruned with their reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, Store } from '../../../src/controller/store/index.ts';
import { startControllerCluster, waitUntil, type LocalCluster } from './support.ts';

describe('traceflows in the store', () => {
  let cluster: LocalCluster;
  let a: Store;
  let b: Store;

  beforeAll(async () => {
    cluster = await startControllerCluster(3);
    [a, b] = (await Promise.all(cluster.remotes.slice(0, 2).map((r) => Store.open([r])))) as [Store, Store];
  });
  afterAll(async () => {
    for (const s of [a, b]) await s?.close();
    await cluster?.stop();
  });

  it('carries a trace, its reports, its injection and its end between members', async () => {
    const events: string[] = [];
    b.on('traceflow', () => events.push('traceflow'));
    const request = { from: 'web1', to: 'web2', proto: 'icmp' };
    await a.createTraceflow({ id: 't1', member: 'ctrl1', request, created: 1000 });
    await expect(a.createTraceflow({ id: 't1', member: 'ctrl1', request, created: 1000 })).rejects.toBeInstanceOf(ConflictError);
    await waitUntil(() => b.traceflows().length === 1);
    expect(b.traceflows()).toEqual([{ id: 't1', member: 'ctrl1', request, created: 1000, state: 'running' }]);
    expect(events.length).toBeGreaterThan(0);

    await b.reportTraceflow({
      traceflow: 't1',
      member: 'ctrl2',
      phase: 'armed',
      nodes: ['hv2', 'hv1'],
      disconnected: [],
      unarmed: { hv3: 'timeout' },
    });
    const passes = [{ node: 'hv2', entry: { kind: 'port' as const, port: 'web2' }, rules: [], exits: [] }];
    await b.reportTraceflow({ traceflow: 't1', member: 'ctrl2', phase: 'observed', nodes: ['hv2'], disconnected: ['hv4'], passes });
    await waitUntil(() => a.traceflowReports('t1')[0]?.phase === 'observed');
    expect(a.traceflowReports('t1')).toEqual([
      { traceflow: 't1', member: 'ctrl2', phase: 'observed', nodes: ['hv2'], disconnected: ['hv4'], passes },
    ]);

    await a.markInjected('t1', { at: 1100 });
    const path = { delivered: true, hops: [] };
    expect(await a.finishTraceflow('t1', 'completed', { path, passes }, 1700)).toBe(true);
    expect(await b.finishTraceflow('t1', 'failed', { error: 'late' }, 9000)).toBe(false);
    await a.markInjected('t1', { error: { kind: 'not-armed', detail: 'too late' } }); // ended: no effect
    await waitUntil(() => b.traceflows()[0]?.state === 'completed');
    expect(b.traceflows()).toEqual([
      { id: 't1', member: 'ctrl1', request, created: 1000, state: 'completed', injected: 1100, result: { path, passes }, finished: 1700 },
    ]);
  });

  it('keeps the latest ended traces, and no report of a trace that is gone', async () => {
    const request = { from: 'web1', to: 'web2', proto: 'icmp' };
    for (const [i, id] of ['t2', 't3'].entries()) {
      await a.createTraceflow({ id, member: 'ctrl1', request, created: 2000 + i });
      await a.reportTraceflow({ traceflow: id, member: 'ctrl1', phase: 'armed', nodes: [], disconnected: [] });
    }
    await a.finishTraceflow('t2', 'completed', {}, 2100);
    await waitUntil(() => a.traceflows().filter((t) => t.state !== 'running').length === 2);
    await a.pruneTraceflows(1);
    await waitUntil(() => a.traceflows().length === 2);
    expect(a.traceflows().map((t) => `${t.id} ${t.state}`)).toEqual(['t2 completed', 't3 running']);
    expect(a.traceflowReports('t1')).toEqual([]);
    expect(a.traceflowReports('t3')).toHaveLength(1);
  });
});
