// The agent's rules over a stand-in store, with members that master no switch: a trace whose
// source port is bound to no node completes at once with that finding, and one whose source node
// nobody masters fails once the bound is up, saying so, after every member has reported.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogicalState } from '../../model/index.ts';
import type { Store, TraceflowRecord, TraceflowReport } from '../store/index.ts';
import { smallLab } from '../pipeline/test-fixtures.ts';
import { ARM_BOUND_MS, SOURCE_GRACE_MS, TraceflowAgent } from './agent.ts';

/** The traceflow tables of a store every member shares (writes are seen at once). */
class FakeStore extends EventEmitter {
  traces: TraceflowRecord[] = [];
  reports: TraceflowReport[] = [];
  constructor(
    private readonly logical: LogicalState,
    private readonly members: string[],
  ) {
    super();
  }
  traceflows = () => this.traces.map((t) => ({ ...t }));
  traceflowReports = (id: string) => this.reports.filter((r) => r.traceflow === id);
  liveMembers = () => this.members.map((name) => ({ name, expires: Date.now() + 5000 }));
  masterships = () => [];
  listNodes = () => this.logical.nodes.map((n) => ({ name: n.name, role: n.role, encap: n.encap, underlayIp: n.underlayIp }));
  listPorts = () => this.logical.ports;
  listSwitches = () => this.logical.switches;
  listRouters = () => [];
  reportTraceflow = async (r: TraceflowReport) => {
    this.reports = [...this.reports.filter((x) => !(x.traceflow === r.traceflow && x.member === r.member)), r];
    this.emit('traceflow');
  };
  markInjected = async (id: string, outcome: { at: number } | { error: TraceflowRecord['injectError'] }) => {
    const t = this.traces.find((x) => x.id === id && x.state === 'running');
    if (t) Object.assign(t, 'at' in outcome ? { injected: outcome.at } : { injectError: outcome.error });
    this.emit('traceflow');
  };
  finishTraceflow = async (id: string, state: 'completed' | 'failed', result: TraceflowRecord['result'], finished: number) => {
    const t = this.traces.find((x) => x.id === id && x.state === 'running');
    if (!t) return false;
    Object.assign(t, { state, result, finished });
    this.emit('traceflow');
    return true;
  };
  pruneTraceflows = async () => {};
}

function cluster(members: string[]) {
  const logical = smallLab();
  const store = new FakeStore(logical, members);
  const agents = members.map(
    (me) =>
      new TraceflowAgent({
        me,
        store: store as unknown as Store,
        mastered: () => new Map(),
        connected: () => true,
        facts: () => ({ vmPorts: new Map(), tunnelPorts: new Map() }),
        logical: () => logical,
        log: () => {},
      }),
  );
  for (const a of agents) a.start();
  const post = (from: string, to: string) => {
    store.traces.push({ id: 't', member: members[0]!, request: { from, to, proto: 'icmp' }, created: Date.now(), state: 'running' });
    store.emit('traceflow');
  };
  return { store, agents, post };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TraceflowAgent', () => {
  it('completes a trace from a port bound to no node: not sent, port-not-bound', async () => {
    vi.useFakeTimers();
    const { store, agents, post } = cluster(['ctrl1', 'ctrl2']);
    post('web-u', 'web-c');
    await vi.advanceTimersByTimeAsync(500);
    for (const a of agents) a.stop();
    expect(store.traces[0]).toMatchObject({ state: 'completed', injectError: { kind: 'not-plugged' } });
    expect(store.traces[0]!.result!.path).toMatchObject({ delivered: false, reason: 'port-not-bound' });
    expect(store.reports.map((r) => `${r.member} ${r.phase}`).sort()).toEqual(['ctrl1 observed', 'ctrl2 observed']);
  });

  it('fails a trace whose source node nobody masters once the bound is up, saying so', async () => {
    vi.useFakeTimers();
    const { store, agents, post } = cluster(['ctrl1', 'ctrl2']);
    post('web-a', 'web-c');
    await vi.advanceTimersByTimeAsync(ARM_BOUND_MS);
    expect(store.traces[0]!.state).toBe('running');
    await vi.advanceTimersByTimeAsync(SOURCE_GRACE_MS + 500);
    for (const a of agents) a.stop();
    expect(store.traces[0]).toMatchObject({
      state: 'failed',
      result: { error: 'the packet was not sent: nobody sent it from hv1 (no member masters it)' },
    });
  });
});
