// The graph of a lab: its two worlds, physical (controller members, transport nodes, networks,
// hosts, tunnels) and logical (switches, routers, ports), and the mapping between them (which
// transport node hosts a port, which gateway runs a router or bridges a switch). Renderers
// (mermaid, dot, json) draw it; `nvlab graph --format json` prints it for other tools, so fields
// are only ever added, never renamed.

export const GRAPH_VIEWS = ['physical', 'logical', 'both'] as const;
export type GraphView = (typeof GRAPH_VIEWS)[number];

export const GRAPH_NODE_KINDS = ['member', 'transport-node', 'network', 'host', 'switch', 'router', 'port'] as const;
export type GraphNodeKind = (typeof GRAPH_NODE_KINDS)[number];

export const GRAPH_EDGE_KINDS = [
  /** A node's link onto a network (management, underlay, a physical network). */
  'link',
  /** A tunnel between two transport nodes. */
  'tunnel',
  /** A port on its logical switch. */
  'port',
  /** A router's interface on a switch. */
  'interface',
  /** A router's uplink onto a physical network. */
  'uplink',
  /** A switch bridged onto a physical network by an L2 gateway. */
  'bridge',
  /** Logical to physical: the transport node that hosts a port, runs a router, or bridges a switch. */
  'placement',
] as const;
export type GraphEdgeKind = (typeof GRAPH_EDGE_KINDS)[number];

type Attr = string | number | boolean;

/** Live state, only in a running lab's graph (absent: drawn from a file, or not known):
 *  `up`; `down` (a dead member, a node cut off from every member, a tunnel whose link or BFD is
 *  down); `degraded` (a node some members cannot reach, a standby gateway); `unknown` (could not
 *  be read). Renderers colour by it. */
export const GRAPH_STATES = ['up', 'down', 'degraded', 'unknown'] as const;
export type GraphState = (typeof GRAPH_STATES)[number];

/** The colour of each state, the same in every renderer (green, red, amber, grey). */
export const STATE_COLOURS: Record<GraphState, string> = { up: '#2e7d32', down: '#c62828', degraded: '#ef8f00', unknown: '#9e9e9e' };

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  /** The name in the topology. */
  name: string;
  /** Which world it belongs to. */
  world: 'physical' | 'logical';
  /** What a person reads on it, one line each. */
  lines: string[];
  /** Details for other tools (role, VNI, addresses, ...). */
  attrs: Record<string, Attr>;
  state?: GraphState;
}

export interface GraphEdge {
  id: string;
  kind: GraphEdgeKind;
  from: string;
  to: string;
  /** Short text on the edge (encap, address, VLAN). */
  label?: string;
  attrs: Record<string, Attr>;
  state?: GraphState;
}

export interface LabGraph {
  lab: string;
  view: GraphView;
  /** When the live state was read (ISO time); absent for a graph drawn from a file. */
  readAt?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A node's id: its kind and name (names are unique per kind, not across kinds). */
export const nodeId = (kind: GraphNodeKind, name: string): string => `${kind}:${name}`;
