// A running lab's live state drawn onto its graph: members dead or alive with their Raft role,
// transport nodes reachable or cut off with their master, tunnels as both ends see them (link,
// BFD), which gateway holds each router now, ports up or down. The state is what the members
// answered (`nvlab status`, or the console's own requests), so the graph shows what the control
// plane sees, as NVP Manager did.
// The console bundles this for the browser: the model's zod-free files only (types are erased).
import { activeGateways } from '../model/gateways.ts';
import type { LabMemberStatus, LabNodeStatus, TunnelStatus } from '../model/index.ts';
import { nodeId, type GraphEdge, type GraphNode, type GraphState, type LabGraph } from './model.ts';

export interface LiveState {
  /** When it was read (ISO time). */
  readAt: string;
  members: Pick<LabMemberStatus, 'name' | 'live' | 'raft' | 'masterOf' | 'error'>[];
  nodes: LabNodeStatus[];
  /** Ports up or down: their status (`up`), or their counters (`plugged`). */
  ports?: { port: string; up?: boolean; plugged?: boolean; error?: string }[];
}

type ReadNode = Extract<LabNodeStatus, { connected: unknown }>;
const ok = (s: LabNodeStatus): s is ReadNode => 'connected' in s;

function memberState(m: LiveState['members'][number]): GraphState {
  if (!m.live || m.error !== undefined) return 'down';
  return m.raft === 'disconnected' ? 'degraded' : 'up';
}

/** A node is down when its switch does not answer its member (not connected, or cut off: the
 *  sessions stay up until their probes give up, the switch's silence shows at once); degraded
 *  when it answers but its OVSDB session is gone or its master has not programmed it. */
function nodeState(s: LabNodeStatus | undefined): GraphState {
  if (!s || !ok(s)) return 'unknown';
  if (s.flows === undefined || (!s.connected.ovsdb && !s.connected.openflow)) return 'down';
  return !s.connected.ovsdb || s.programmed === false ? 'degraded' : 'up';
}

const forwards = (t: TunnelStatus) => t.link !== 'down' && (t.bfd === undefined || t.bfd.forwarding);

/** A tunnel as its two ends see it: down when either end is down or says so; unknown when an
 *  end could not be read and the other says nothing against it. */
function tunnelState(ends: (TunnelStatus | undefined)[], nodes: GraphState[]): GraphState {
  if (nodes.includes('down')) return 'down';
  const seen = ends.filter((t): t is TunnelStatus => t !== undefined);
  if (!seen.every(forwards)) return 'down';
  return seen.length === 0 || nodes.includes('unknown') ? 'unknown' : 'up';
}

function tunnelAttrs(a: string, b: string, ends: (TunnelStatus | undefined)[]): GraphEdge['attrs'] {
  const attrs: GraphEdge['attrs'] = {};
  ends.forEach((t, k) => {
    if (!t) return;
    const at = k === 0 ? a : b;
    attrs[`${at} interface`] = t.interface;
    if (t.link) attrs[`${at} link`] = t.link;
    if (t.bfd) attrs[`${at} bfd`] = t.bfd.forwarding ? t.bfd.state : `${t.bfd.state} (${t.bfd.diagnostic ?? 'not forwarding'})`;
    if (t.tx) attrs[`${at} tx packets`] = t.tx.packets;
    if (t.rx) attrs[`${at} rx packets`] = t.rx.packets;
  });
  return attrs;
}

/** The tunnels both ends report, by unordered pair and encap. */
function tunnelsOf(nodes: ReadNode[]): Map<string, { a: string; b: string; encap: string; ends: (TunnelStatus | undefined)[] }> {
  const pairs = new Map<string, { a: string; b: string; encap: string; ends: (TunnelStatus | undefined)[] }>();
  for (const n of nodes) {
    for (const t of n.tunnels) {
      if (!t.remote) continue;
      const [a, b] = n.node < t.remote ? [n.node, t.remote] : [t.remote, n.node];
      const id = `tunnel:${a}:${b}:${t.encap}`;
      const pair = pairs.get(id) ?? { a, b, encap: t.encap, ends: [undefined, undefined] };
      pair.ends[n.node === a ? 0 : 1] = t;
      pairs.set(id, pair);
    }
  }
  return pairs;
}

export function withLiveState(graph: LabGraph, live: LiveState): LabGraph {
  const nodes = graph.nodes.map((n) => ({ ...n, attrs: { ...n.attrs }, lines: [...n.lines] }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const statusOf = new Map(live.nodes.map((s) => [s.node, s]));
  const stateOf = new Map<string, GraphState>();
  for (const m of live.members) {
    const n = byId.get(nodeId('member', m.name));
    if (!n) continue;
    n.state = memberState(m);
    n.lines[1] = m.raft ?? (n.state === 'down' ? 'dead' : 'controller');
    Object.assign(n.attrs, { live: m.live, masterOf: m.masterOf.join(','), ...(m.raft ? { raft: m.raft } : {}) });
    if (m.error) n.attrs.error = m.error;
  }
  for (const n of nodes.filter((n) => n.kind === 'transport-node')) {
    const s = statusOf.get(n.name);
    n.state = nodeState(s);
    stateOf.set(n.name, n.state);
    if (s && !ok(s)) n.attrs.error = s.error;
    if (s && ok(s)) {
      Object.assign(n.attrs, { ovsdb: s.connected.ovsdb, openflow: s.connected.openflow });
      if (s.master) n.attrs.master = s.master.member;
      if (s.programmed !== undefined) n.attrs.programmed = s.programmed;
      if (s.flows !== undefined) n.attrs.flows = s.flows;
      if (n.state === 'down') n.attrs.error = 'its switch does not answer';
      if (s.master) n.lines[2] = `master ${s.master.member}`;
    }
  }
  const drawn = new Set(nodes.map((n) => n.id));
  // Tunnels are drawn as the nodes report them, not as planned.
  const edges: GraphEdge[] = graph.edges.filter((e) => e.kind !== 'tunnel').map((e) => ({ ...e, attrs: { ...e.attrs } }));
  for (const [id, t] of tunnelsOf(live.nodes.filter(ok))) {
    const [from, to] = [nodeId('transport-node', t.a), nodeId('transport-node', t.b)];
    if (!drawn.has(from) || !drawn.has(to)) continue;
    const state = tunnelState(t.ends, [stateOf.get(t.a) ?? 'unknown', stateOf.get(t.b) ?? 'unknown']);
    edges.push({ id, kind: 'tunnel', from, to, label: t.encap, attrs: { encap: t.encap, ...tunnelAttrs(t.a, t.b, t.ends) }, state });
  }
  markGateways(nodes, edges, live.nodes, stateOf);
  for (const p of live.ports ?? []) {
    const n = byId.get(nodeId('port', p.port));
    if (n) n.state = p.error !== undefined ? 'unknown' : (p.up ?? p.plugged) ? 'up' : 'down';
  }
  return { ...graph, readAt: live.readAt, nodes, edges };
}

/** Which gateway holds each router now (as the data plane decides, from the gateways' tunnels). */
function markGateways(nodes: GraphNode[], edges: GraphEdge[], statuses: LabNodeStatus[], stateOf: Map<string, GraphState>): void {
  const views = statuses.filter(ok).map((s) => ({
    node: s.node,
    running: stateOf.get(s.node) !== 'down',
    liveTunnelsTo: new Set(s.tunnels.filter((t) => t.remote && forwards(t)).map((t) => t.remote!)),
  }));
  for (const router of nodes.filter((n) => n.kind === 'router' && n.attrs.gateways)) {
    const order = String(router.attrs.gateways).split(',');
    const active = activeGateways(order, views);
    // A distributed router without a gateway still routes east-west, on the hypervisors.
    const none = router.attrs.distributed ? 'degraded' : 'down';
    router.state = active.length === 1 ? 'up' : active.length === 0 ? none : 'degraded';
    router.attrs.active = active.join(',');
    router.lines.push(
      active.length > 0
        ? `active ${active.join(', ')}`
        : router.attrs.distributed
          ? 'no active gateway: east-west only'
          : 'no active gateway',
    );
    for (const e of edges.filter((e) => e.kind === 'placement' && e.from === router.id)) {
      const holds = active.some((gw) => e.to === nodeId('transport-node', gw));
      Object.assign(e, { attrs: { ...e.attrs, active: holds }, ...(holds ? { state: 'up' as const } : {}) });
    }
  }
}
