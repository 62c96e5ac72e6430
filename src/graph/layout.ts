// Where each node and edge of a lab's graph is drawn: ELK's layered algorithm (elkjs), run in the
// same thread, so the same code lays out in Node and in a browser bundle (no DOM, no worker).
// The picture reads top-down as an overlay is usually drawn: the logical world (routers over
// switches over ports) above the physical one (members, transport nodes and hosts over their
// networks), each world a group of its own when both are drawn. Tunnels join transport nodes of
// one rank, which a layered layout cannot express (a full mesh would become as many ranks), so
// ELK places the nodes and the tunnels are drawn after it as arcs above them (layout-arcs.ts).
import type { ElkExtendedEdge, ElkLabel, ElkNode } from 'elkjs/lib/elk-api.js';
import { ARC_MAX, tunnelArcs } from './layout-arcs.ts';
import { GROUP_TITLE, LABEL_TEXT, nodeBox, textWidth } from './metrics.ts';
import type { GraphEdge, GraphNode, LabGraph } from './model.ts';

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends GraphNode {
  /** Top-left corner and size, in SVG user units. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends GraphEdge {
  /** The edge's route, from its source's border to its target's. */
  points: Point[];
  /** The route is a cubic Bézier curve (start, two control points, end) rather than straight segments. */
  curved?: boolean;
  /** Where its label goes (its centre; absent: no label). */
  labelAt?: Point;
}

/** A world's box, when both are drawn. */
export interface PlacedGroup {
  world: 'physical' | 'logical';
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutGraph extends Omit<LabGraph, 'nodes' | 'edges'> {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  groups?: PlacedGroup[];
}

/** What layoutGraph needs of ELK (elkjs's `new ELK()`). */
export type ElkEngine = { layout(graph: ElkNode): Promise<ElkNode> };

export interface LayoutOptions {
  /** Where ELK comes from (default: elkjs's bundle, imported on first use). Node passes one
   *  that compiles it from V8's code cache (elk-node.ts). */
  elk?: () => Promise<ElkEngine>;
  /** false: always ask ELK, even for a graph of a shape laid out just before (for benchmarks). */
  reuse?: boolean;
}

let elk: Promise<ElkEngine> | undefined;

/** ELK, loaded on first use: it is large, and most commands never draw. */
function loadElk(): Promise<ElkEngine> {
  elk ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    const Elk = m.default as unknown as new () => ElkEngine;
    return new Elk();
  });
  return elk;
}

const MARGIN = 16;
/** Room above transport nodes for the tunnel arcs (they are drawn within it). */
const ARC_ROOM = ARC_MAX + 3 * LABEL_TEXT.lineHeight;
/** A world's box: padding around its nodes. */
const GROUP_PAD = 16;
const WORLDS = ['logical', 'physical'] as const;
/** Past this many nodes, cheaper settings: ELK's time grows fast with size (see bench:graph).
 *  A lab of 20 hypervisors (46 nodes) takes 0.7 s cold and 0.1 s warm with them, 1.1 s and
 *  0.25 s without (its picture, a fan of ports over a row of nodes, loses nothing); the
 *  console's first paint of such a lab drops by about half a second (bench:console). */
const LARGE = 40;

/** Edges whose natural reading is bottom-up, turned for the layout so every edge flows down. */
const REVERSED = new Set<GraphEdge['kind']>(['port']);

const OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.nodeSize.constraints': '',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '8',
  'elk.spacing.edgeLabel': '3',
  'elk.spacing.componentComponent': '40',
  'elk.layered.spacing.nodeNodeBetweenLayers': '44',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
};

/** For a graph of usual size: the file's order kept where it costs no crossing (hv1 left of
 *  hv2, as written), and the logical world's ranks all above the physical world's (ELK's
 *  partitions). Both cost time that grows with the square of the nodes. */
const USUAL_OPTIONS: Record<string, string> = {
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.partitioning.activate': 'true',
};

/** For a large graph, what costs least: ranks by longest path, straight segments, nodes in the
 *  file's order (no crossing reduction), each layer's nodes simply side by side, one piece. */
const LARGE_OPTIONS: Record<string, string> = {
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.layering.strategy': 'LONGEST_PATH',
  'elk.separateConnectedComponents': 'false',
  'elk.layered.crossingMinimization.strategy': 'NONE',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
};

/** For a large graph, the worlds are kept apart by an invisible node every logical rank is
 *  above and every physical one below. Partitions do it by linking every node of one world to
 *  every node of the other; this takes an edge from each logical sink and one to each physical
 *  source, the rest follows (every edge between the worlds flows down, logical to physical). */
const BARRIER = 'barrier';

function barrierEdges(graph: LabGraph, layoutEdges: readonly ElkExtendedEdge[]): ElkExtendedEdge[] {
  const world = new Map(graph.nodes.map((n) => [n.id, n.world]));
  const [hasOut, hasIn] = [new Set<string>(), new Set<string>()];
  for (const e of layoutEdges) {
    const [from, to] = [e.sources[0]!, e.targets[0]!];
    if (world.get(from) !== world.get(to)) continue;
    hasOut.add(from);
    hasIn.add(to);
  }
  const quiet = { 'elk.layered.priority.shortness': '0', 'elk.layered.priority.straightness': '0' };
  return graph.nodes.flatMap((n): ElkExtendedEdge[] => {
    if (n.world === 'logical' && !hasOut.has(n.id))
      return [{ id: `${BARRIER}:${n.id}`, sources: [n.id], targets: [BARRIER], layoutOptions: quiet }];
    if (n.world === 'physical' && !hasIn.has(n.id))
      return [{ id: `${BARRIER}:${n.id}`, sources: [BARRIER], targets: [n.id], layoutOptions: quiet }];
    return [];
  });
}

/** A network is drawn as a bus: as wide as its links need, so they do not converge on a point. */
function nodeSize(n: GraphNode, degree: number): { width: number; height: number } {
  const box = nodeBox(n.lines);
  return n.kind === 'network' ? { ...box, width: Math.max(box.width, degree * 18) } : box;
}

function elkLabel(e: GraphEdge): ElkLabel[] {
  if (e.label === undefined) return [];
  // An address or VLAN belongs to the edge's source (a node's address on a network, a router's
  // on a switch), so it sits by that end.
  const placement = REVERSED.has(e.kind) ? 'HEAD' : 'TAIL';
  return [
    {
      id: `label:${e.id}`,
      text: e.label,
      width: textWidth(e.label, LABEL_TEXT) + 4,
      height: LABEL_TEXT.lineHeight,
      layoutOptions: { 'elk.edgeLabels.placement': placement },
    },
  ];
}

function elkEdge(e: GraphEdge): ElkExtendedEdge {
  const [from, to] = REVERSED.has(e.kind) ? [e.to, e.from] : [e.from, e.to];
  // The mapping between the worlds matters less than either world's own shape.
  const layoutOptions: Record<string, string> =
    e.kind === 'placement' ? { 'elk.layered.priority.shortness': '0', 'elk.layered.priority.straightness': '0' } : {};
  return { id: e.id, sources: [from], targets: [to], labels: elkLabel(e), layoutOptions };
}

function elkGraph(graph: LabGraph): ElkNode {
  const degree = new Map<string, number>();
  for (const e of graph.edges) for (const id of [e.from, e.to]) degree.set(id, (degree.get(id) ?? 0) + 1);
  const large = graph.nodes.length > LARGE;
  const partition = (n: GraphNode) => (large ? {} : { layoutOptions: { 'elk.partitioning.partition': n.world === 'logical' ? '0' : '1' } });
  const children: ElkNode[] = graph.nodes.map((n) => ({ id: n.id, ...nodeSize(n, degree.get(n.id) ?? 0), ...partition(n) }));
  const edges = graph.edges.filter((e) => e.kind !== 'tunnel').map(elkEdge);
  if (large && graph.view === 'both') {
    children.push({ id: BARRIER, width: 0, height: 0 });
    edges.push(...barrierEdges(graph, edges));
  }
  return { id: 'root', layoutOptions: { ...OPTIONS, ...(large ? LARGE_OPTIONS : USUAL_OPTIONS) }, children, edges };
}

/** The nodes and edges where ELK put them (tunnels still unrouted). */
function placed(graph: LabGraph, root: ElkNode): { nodes: PlacedNode[]; edges: PlacedEdge[] } {
  const laidNodes = new Map((root.children ?? []).map((c) => [c.id, c]));
  const laidEdges = new Map((root.edges ?? []).map((e) => [e.id, e]));
  const nodes = graph.nodes.map((n) => {
    const at = laidNodes.get(n.id);
    return { ...n, x: at?.x ?? 0, y: at?.y ?? 0, width: at?.width ?? 0, height: at?.height ?? 0 };
  });
  const edges = graph.edges.map((e): PlacedEdge => {
    const laid = laidEdges.get(e.id);
    const points = (laid?.sections ?? []).flatMap((s, i) => [...(i === 0 ? [s.startPoint] : []), ...(s.bendPoints ?? []), s.endPoint]);
    if (REVERSED.has(e.kind)) points.reverse();
    const label = laid?.labels?.[0];
    const labelAt =
      label && e.label !== undefined
        ? { x: (label.x ?? 0) + (label.width ?? 0) / 2, y: (label.y ?? 0) + (label.height ?? 0) / 2 }
        : undefined;
    return { ...e, points: points.map((p) => ({ x: p.x, y: p.y })), ...(labelAt ? { labelAt } : {}) };
  });
  return { nodes, edges };
}

/** Moves everything at or below `y` down by `by` (edges crossing it stretch). */
function openGap(nodes: PlacedNode[], edges: PlacedEdge[], y: number, by: number): void {
  const move = (p: Point) => (p.y >= y ? { x: p.x, y: p.y + by } : p);
  for (const n of nodes) if (n.y >= y) n.y += by;
  for (const e of edges) {
    e.points = e.points.map(move);
    if (e.labelAt) e.labelAt = move(e.labelAt);
  }
}

type Box = { x0: number; y0: number; x1: number; y1: number };
const EMPTY: Box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
const grow = (b: Box, x0: number, y0: number, x1 = x0, y1 = y0): Box => ({
  x0: Math.min(b.x0, x0),
  y0: Math.min(b.y0, y0),
  x1: Math.max(b.x1, x1),
  y1: Math.max(b.y1, y1),
});

/** What a set of nodes and edges covers: nodes, routes (an arc's top is its label's) and labels. */
function extent(nodes: readonly PlacedNode[], edges: readonly PlacedEdge[]): Box {
  let box = EMPTY;
  for (const n of nodes) box = grow(box, n.x, n.y, n.x + n.width, n.y + n.height);
  for (const e of edges) {
    for (const p of e.curved ? [e.points[0]!, e.points[e.points.length - 1]!] : e.points) box = grow(box, p.x, p.y);
    const l = e.labelAt;
    if (l && e.label !== undefined) {
      const half = textWidth(e.label, LABEL_TEXT) / 2 + 2;
      box = grow(box, l.x - half, l.y - LABEL_TEXT.lineHeight / 2, l.x + half, l.y + LABEL_TEXT.lineHeight / 2);
    } else if (e.curved) box = grow(box, e.points[1]!.x, (e.points[0]!.y + 3 * e.points[1]!.y) / 4);
  }
  return box;
}

/** Each world's box, around its own nodes and the edges within it. */
function groupsOf(nodes: readonly PlacedNode[], edges: readonly PlacedEdge[]): PlacedGroup[] {
  const worldOf = new Map(nodes.map((n) => [n.id, n.world]));
  return WORLDS.map((world) => {
    const own = edges.filter((e) => worldOf.get(e.from) === world && worldOf.get(e.to) === world);
    const b = extent(
      nodes.filter((n) => n.world === world),
      own,
    );
    const top = b.y0 - GROUP_PAD - GROUP_TITLE;
    return { world, x: b.x0 - GROUP_PAD, y: top, width: b.x1 - b.x0 + 2 * GROUP_PAD, height: b.y1 + GROUP_PAD - top };
  });
}

/** Where things are depends on what is drawn, not on its live state: the shapes of the last few
 *  graphs laid out, so a live graph redrawn every few seconds costs ELK nothing until a node or
 *  an edge comes or goes. */
const recent = new Map<string, LaidOutGraph>();
const RECENT = 4;

const shapeKey = (g: LabGraph) =>
  JSON.stringify([g.view, g.nodes.map((n) => [n.id, n.kind, n.world, n.lines]), g.edges.map((e) => [e.id, e.kind, e.from, e.to, e.label])]);

/** A laid-out graph's geometry with another graph's (same shape) names, states and attributes. */
function restate(laid: LaidOutGraph, graph: LabGraph): LaidOutGraph {
  const { nodes: _n, edges: _e, ...rest } = graph;
  return {
    ...laid,
    ...rest,
    nodes: laid.nodes.map(({ x, y, width, height }, i) => ({ ...graph.nodes[i]!, x, y, width, height })),
    edges: laid.edges.map(({ points, curved, labelAt }, i) => ({
      ...graph.edges[i]!,
      points: points.map((p) => ({ ...p })),
      ...(curved ? { curved } : {}),
      ...(labelAt ? { labelAt } : {}),
    })),
  };
}

/** Lays out a graph (works in Node and in a browser). */
export async function layoutGraph(graph: LabGraph, options: LayoutOptions = {}): Promise<LaidOutGraph> {
  const key = shapeKey(graph);
  const known = options.reuse === false ? undefined : recent.get(key);
  if (known) return restate(known, graph);
  const laid = await place(graph, options);
  recent.set(key, laid);
  if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  return restate(laid, graph);
}

/** ELK's answers (or ones it is working on) by what it was given: it never sees tunnels (they
 *  are arcs drawn over its placement) nor states, so a graph whose tunnels came or went, or one
 *  laid out before its tunnels were read (the console does, while it reads them), is placed once. */
const placements = new Map<string, Promise<ElkNode>>();

function placement(graph: LabGraph, options: LayoutOptions): Promise<ElkNode> {
  const input = elkGraph(graph);
  const run = async () => (await (options.elk ?? loadElk)()).layout(input);
  if (options.reuse === false) return run();
  const key = JSON.stringify(input);
  const known = placements.get(key);
  if (known) return known;
  const placing = run();
  placements.set(key, placing);
  placing.catch(() => placements.delete(key));
  if (placements.size > RECENT) placements.delete(placements.keys().next().value!);
  return placing;
}

async function place(graph: LabGraph, options: LayoutOptions): Promise<LaidOutGraph> {
  const root = await placement(graph, options);
  const { nodes, edges } = placed(graph, root);
  const grouped = graph.view === 'both' && WORLDS.every((w) => nodes.some((n) => n.world === w));
  if (grouped) {
    // Room between the worlds for both boxes' padding, the physical one's title and its tunnels.
    const physicalTop = Math.min(...nodes.filter((n) => n.world === 'physical').map((n) => n.y));
    openGap(nodes, edges, physicalTop, 2 * GROUP_PAD + GROUP_TITLE + ARC_ROOM);
  }
  const arcs = tunnelArcs(
    nodes,
    graph.edges.filter((e) => e.kind === 'tunnel'),
  );
  const routed = edges.map((e) => arcs.get(e.id) ?? e);
  const groups = grouped ? groupsOf(nodes, routed) : [];
  // Everything moved to start at the margin.
  let box = extent(nodes, routed);
  for (const g of groups) box = grow(box, g.x, g.y, g.x + g.width, g.y + g.height);
  const [dx, dy] = [MARGIN - box.x0, MARGIN - box.y0];
  const shift = (p: Point) => ({ x: p.x + dx, y: p.y + dy });
  const { nodes: _n, edges: _e, ...rest } = graph;
  return {
    ...rest,
    width: box.x1 - box.x0 + 2 * MARGIN,
    height: box.y1 - box.y0 + 2 * MARGIN,
    nodes: nodes.map((n) => ({ ...n, x: n.x + dx, y: n.y + dy })),
    edges: routed.map((e) => ({ ...e, points: e.points.map(shift), ...(e.labelAt ? { labelAt: shift(e.labelAt) } : {}) })),
    groups: groups.map((g) => ({ ...g, x: g.x + dx, y: g.y + dy })),
  };
}
