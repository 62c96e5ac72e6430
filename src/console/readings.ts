// What the console has read of the lab (poller.ts fills it), and when it has read everything
// once. How it is judged (up, down) is the live graph's business (live-graph.ts, src/graph/live.ts).
import type {
  ClusterMember,
  LogicalPort,
  LogicalPortStatistics,
  LogicalRouter,
  LogicalSwitch,
  Status,
  TransportNode,
  TransportNodeStatus,
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

export type NodeReading = Reading<TransportNodeStatus>;

export interface LabReadings {
  nodes: Reading<TransportNode[]>;
  switches: Reading<LogicalSwitch[]>;
  ports: Reading<LogicalPort[]>;
  routers: Reading<LogicalRouter[]>;
  status: Reading<Status>;
  /** Every member with its Raft role, as this member asked them (GET /api/v1/members). */
  members: Reading<ClusterMember[]>;
  nodeStatus: Map<string, NodeReading>;
  portStats: Map<string, Reading<LogicalPortStatistics>>;
  /** The latest answers said the member's replica is cut off from its quorum. */
  stale: boolean;
  /** The member answered nothing at all the last time it was asked: why. */
  unreachable?: string;
  /** The member refused the page for the token (401) the last time it was asked: what to do. */
  unauthorized?: string;
}

export const emptyReadings = (): LabReadings => ({
  nodes: { at: 0 },
  switches: { at: 0 },
  ports: { at: 0 },
  routers: { at: 0 },
  status: { at: 0 },
  members: { at: 0 },
  nodeStatus: new Map(),
  portStats: new Map(),
  stale: false,
});

/** The performance mark the page sets once everything has been read (complete) and drawn the
 *  first time (bench:console measures up to it). */
export const READY_MARK = 'nvlab-console-ready';

/** The mark set when everything was read the first time (complete), before it is drawn. */
export const READ_MARK = 'nvlab-console-read';

/** What decides the graph's shape has been read: the lists, the members and every node's status
 *  (its tunnels are edges, its master a line); port counters only colour it. */
export function shapeKnown(r: LabReadings): boolean {
  return listsRead(r) && (r.nodes.value ?? []).every((n) => (r.nodeStatus.get(n.name)?.at ?? 0) > 0);
}

/** The lists, this member's status and the members have been read (the nodes' statuses may not). */
export const listsRead = (r: LabReadings): boolean => [r.nodes, r.switches, r.ports, r.routers, r.status, r.members].every((x) => x.at > 0);

/** Every resource list, the status, each node's status and each port's counters had an answer. */
export function complete(r: LabReadings): boolean {
  const lists = [r.nodes, r.switches, r.ports, r.routers, r.status].every((x) => x.at > 0);
  return (
    lists &&
    (r.nodes.value ?? []).every((n) => (r.nodeStatus.get(n.name)?.at ?? 0) > 0) &&
    (r.ports.value ?? []).every((p) => (r.portStats.get(p.name)?.at ?? 0) > 0)
  );
}
