// What the console has read of the lab (poller.ts fills it) and how it judges it: a transport node
// is up when its member reads it in full, a tunnel is down when its link or BFD is, or when either
// of its ends cannot be read (a partitioned node's own status says nothing of its cut cables, and
// the other ends run no BFD towards a hypervisor), a member is down when its lease ran out.
// Pure: the graph adapter, the lists and the unit tests share it.
import type { GraphState } from '../graph/index.ts';
import type {
  LogicalPort,
  LogicalPortStatistics,
  LogicalRouter,
  LogicalSwitch,
  Status,
  TransportNode,
  TransportNodeStatus,
  TunnelStatus,
} from '../model/index.ts';

/** The latest read of one thing: its last good value, and the error of the latest read if it failed. */
export interface Reading<T> {
  value?: T;
  error?: string;
  /** When the latest answer (good or not) came; 0: none yet. */
  at: number;
  /** When the latest good answer came. */
  okAt?: number;
}

/** A transport node's reading, with its status as it was the last time it could be read in full
 *  (its tunnels stay drawn, down, while it cannot be). */
export interface NodeReading extends Reading<TransportNodeStatus> {
  lastUp?: TransportNodeStatus;
}

export interface LabReadings {
  nodes: Reading<TransportNode[]>;
  switches: Reading<LogicalSwitch[]>;
  ports: Reading<LogicalPort[]>;
  routers: Reading<LogicalRouter[]>;
  status: Reading<Status>;
  nodeStatus: Map<string, NodeReading>;
  portStats: Map<string, Reading<LogicalPortStatistics>>;
  /** The latest answers said the member's replica is cut off from its quorum. */
  stale: boolean;
  /** The member answered nothing at all the last time it was asked: why. */
  unreachable?: string;
}

export const emptyReadings = (): LabReadings => ({
  nodes: { at: 0 },
  switches: { at: 0 },
  ports: { at: 0 },
  routers: { at: 0 },
  status: { at: 0 },
  nodeStatus: new Map(),
  portStats: new Map(),
  stale: false,
});

/** The performance mark the page sets once everything has been read (complete) and drawn the
 *  first time (bench:console measures up to it). */
export const READY_MARK = 'nvlab-console-ready';

/** Every resource list, the status, each node's status and each port's counters had an answer. */
export function complete(r: LabReadings): boolean {
  const lists = [r.nodes, r.switches, r.ports, r.routers, r.status].every((x) => x.at > 0);
  return (
    lists &&
    (r.nodes.value ?? []).every((n) => (r.nodeStatus.get(n.name)?.at ?? 0) > 0) &&
    (r.ports.value ?? []).every((p) => (r.portStats.get(p.name)?.at ?? 0) > 0)
  );
}

/** A node its member reads in full: connected both ways, its switch answering. */
export const readInFull = (s: TransportNodeStatus | undefined): boolean =>
  !!s && s.connected.ovsdb && s.connected.openflow && s.flows !== undefined;

export interface Judged {
  state: GraphState;
  /** For people: why. */
  text: string;
}

export function nodeHealth(reading: NodeReading | undefined): Judged {
  if (!reading || reading.at === 0) return { state: 'unknown', text: 'not read yet' };
  const s = reading.value;
  if (!s) return { state: 'down', text: `no status: ${reading.error ?? 'no answer'}` };
  const { ovsdb, openflow } = s.connected;
  if (!ovsdb && !openflow) return { state: 'down', text: 'not connected' };
  if (!ovsdb || !openflow) return { state: 'down', text: `connected by ${ovsdb ? 'OVSDB' : 'OpenFlow'} only` };
  if (s.flows === undefined) return { state: 'down', text: 'its switch does not answer' };
  return { state: 'up', text: 'connected' };
}

/** A node's tunnels as last seen in full (now if it answers in full). */
export function tunnelsOf(reading: NodeReading | undefined): TunnelStatus[] {
  if (!reading) return [];
  return (readInFull(reading.value) ? reading.value : reading.lastUp)?.tunnels ?? [];
}

/** One tunnel end, as its node reports it: down when its link or its BFD session is. */
export function tunnelEndState(t: TunnelStatus): Judged {
  if (t.link === 'down') return { state: 'down', text: 'link down' };
  if (t.bfd && (t.bfd.state !== 'up' || !t.bfd.forwarding))
    return { state: 'down', text: `BFD ${t.bfd.state}${t.bfd.diagnostic ? ` (${t.bfd.diagnostic})` : ''}` };
  return { state: 'up', text: t.bfd ? 'up, BFD up' : 'up' };
}

/** A tunnel between `a` and `b`, from what either end reports and whether both can be read. */
export function tunnelState(ends: readonly TunnelStatus[], a: Judged, b: Judged, names: [string, string]): Judged {
  const cut = [a, b].findIndex((h) => h.state === 'down');
  if (cut >= 0) return { state: 'down', text: `${names[cut]}: ${[a, b][cut]!.text}` };
  const down = ends.map(tunnelEndState).find((j) => j.state === 'down');
  if (down) return down;
  if (a.state === 'unknown' || b.state === 'unknown') return { state: 'unknown', text: 'not read yet' };
  return ends.map(tunnelEndState).find((j) => j.text.includes('BFD')) ?? { state: 'up', text: 'up' };
}

/** A tunnel as one edge: its two nodes (sorted), its encap, and what each end reports. */
export interface TunnelLink {
  a: string;
  b: string;
  encap: string;
  ends: { node: string; tunnel: TunnelStatus }[];
}

/** Every tunnel between transport nodes, once per pair and encap, from both ends' reports. */
export function tunnelLinks(nodeNames: readonly string[], readings: ReadonlyMap<string, NodeReading>): TunnelLink[] {
  const links = new Map<string, TunnelLink>();
  for (const node of nodeNames) {
    for (const tunnel of tunnelsOf(readings.get(node))) {
      if (!tunnel.remote) continue;
      const [a, b] = [node, tunnel.remote].sort() as [string, string];
      const key = `${a}:${b}:${tunnel.encap}`;
      const link = links.get(key) ?? { a, b, encap: tunnel.encap, ends: [] };
      link.ends.push({ node, tunnel });
      links.set(key, link);
    }
  }
  return [...links.values()].sort((x, y) => `${x.a}:${x.b}`.localeCompare(`${y.a}:${y.b}`));
}

/** A member: up while its lease in the store is current, as the answering member sees it. */
export function memberState(status: Status | undefined, name: string): Judged {
  const m = status?.members.find((x) => x.name === name);
  if (!m) return { state: 'unknown', text: 'not known' };
  return m.live ? { state: 'up', text: 'live' } : { state: 'down', text: 'lease expired' };
}

/** A port: up when its interface is plugged in on its node. */
export function portState(reading: Reading<LogicalPortStatistics> | undefined, port: LogicalPort): Judged {
  if (!port.node) return { state: 'down', text: 'not bound' };
  if (!reading?.value) return reading?.error ? { state: 'unknown', text: reading.error } : { state: 'unknown', text: 'not read yet' };
  return reading.value.plugged ? { state: 'up', text: `plugged on ${port.node}` } : { state: 'down', text: `not plugged on ${port.node}` };
}

/** A router's active gateway: the first of its gateways (priority order) that answers, as the
 *  gateways' own BFD elects it; the others stand by. */
export function activeGateway(router: LogicalRouter, health: (node: string) => Judged): string | undefined {
  return router.uplink?.gateways.find((g) => health(g.node).state === 'up')?.node;
}
