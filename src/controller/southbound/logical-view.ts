// The logical state a member programs from: the store's, with what the nodes' switches report.
import type { LogicalState } from '../../model/index.ts';
import type { NodeFacts } from '../pipeline/index.ts';
import type { Store } from '../store/index.ts';
import type { NodeSessions } from './node-sessions.ts';

interface Cached {
  state: LogicalState;
  key: string;
  logical: LogicalState;
  facts: (NodeFacts | undefined)[];
  macs: (string | undefined)[];
}

export class LogicalView {
  private cache: Cached | undefined;

  constructor(
    private readonly store: Pick<Store, 'state'>,
    private readonly sessions: Pick<NodeSessions, 'view' | 'facts' | 'underlayMac'>,
  ) {}

  /** The store's logical state with each node's underlay MAC as its switch reports it, and each
   *  port marked down while its connected node has not plugged it in. One object per (state,
   *  MACs, ports down): the pipeline derives what it needs from it once for all nodes. */
  current(): LogicalState {
    const state = this.store.state() as LogicalState;
    // Nothing to look at again while neither the state nor any node's MAC or OpenFlow ports
    // changed (a node's facts are one object while they stay equal).
    const facts = state.nodes.map((n) => (this.sessions.view(n.name) ? this.sessions.facts(n.name) : undefined));
    const macs = state.nodes.map((n) => this.sessions.underlayMac(n.name));
    const cache = this.cache;
    if (cache?.state === state && cache.facts.every((f, i) => f === facts[i]) && cache.macs.every((m, i) => m === macs[i]))
      return cache.logical;
    const factsOf = new Map(state.nodes.map((n, i) => [n.name, facts[i]]));
    const down = new Set<string>();
    for (const p of state.ports) {
      // A node this member has no session with is not known to lack the VM: its flows stay.
      const f = p.node === undefined ? undefined : factsOf.get(p.node);
      if (f && !f.vmPorts.has(p.name)) down.add(p.name);
    }
    const key = `${macs.join(',')}|${[...down].join(',')}`;
    if (cache?.state === state && cache.key === key) {
      cache.facts = facts;
      cache.macs = macs;
      return cache.logical;
    }
    const logical: LogicalState = {
      ...state,
      nodes: state.nodes.map((n, i) => (macs[i] ? { ...n, underlayMac: macs[i] } : n)),
      ports: down.size === 0 ? state.ports : state.ports.map((p) => (down.has(p.name) ? { ...p, up: false } : p)),
    };
    this.cache = { state, key, logical, facts, macs };
    return logical;
  }
}
