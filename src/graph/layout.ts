// Where each node and edge of a lab's graph is drawn: ELK's layered algorithm (elkjs), run in the
// same thread, so the same code lays out in Node and in a browser bundle (no DOM, no worker).
// The picture reads top-down as an overlay is usually drawn: the logical world (routers over
// switches over ports) above the physical one (members, transport nodes and hosts over their
// networks), each world a group of its own when both are drawn. Tunnels join transport nodes of
// one rank, which a layered layout cannot express (a full mesh would become as many ranks), so
// ELK places the nodes and the tunnels are drawn after it as arcs above them (layout-arcs.ts).
// A large graph has each world laid out on its own (layout-worlds.ts). ELK's answers are kept by
// what it was given, in memory and, in Node, on disk (layout-cache.ts).
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { ARC_MAX, tunnelArcs } from './layout-arcs.ts';
import { answers, elkGraph, LARGE, readElk, REVERSED, trimmed } from './layout-elk.ts';
import { extent, GROUP_PAD, groupsOf, grow, WORLDS } from './layout-extent.ts';
import { crossings, stackWorlds, worldGraph, type World } from './layout-worlds.ts';
import { GROUP_TITLE, LABEL_TEXT } from './metrics.ts';
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

/** ELK's answers kept beyond the process, by ELK's input (its JSON). What `get` returns is
 *  checked against the input before use: a store may hold anything. */
export interface PlacementStore {
  get(input: string): Promise<unknown>;
  set(input: string, answer: ElkNode): Promise<void>;
}

export interface LayoutOptions {
  /** Where ELK comes from (default: elkjs's bundle, imported on first use). Node passes one
   *  that compiles it from V8's code cache (elk-node.ts). */
  elk?: () => Promise<ElkEngine>;
  /** false: always ask ELK, even for a graph of a shape laid out just before (for benchmarks). */
  reuse?: boolean;
  /** Where ELK's answers are kept between processes (Node: layout-cache.ts), read before asking ELK. */
  store?: PlacementStore;
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
/** Between the worlds: both boxes' padding, the physical one's title and its tunnels' arcs. */
const BETWEEN_WORLDS = 2 * GROUP_PAD + GROUP_TITLE + ARC_ROOM;
/** Where the worlds are laid out apart, more room for the lines between them. */
const CROSSING_ROOM = 88;

type Placed = { nodes: PlacedNode[]; edges: PlacedEdge[] };

/** A graph of usual size: both worlds in one ELK graph, then room made between them. */
async function placeWhole(graph: LabGraph, options: LayoutOptions): Promise<Placed> {
  const { boxes, routes } = readElk(await placement(elkGraph(graph), options));
  const nodes = graph.nodes.map((n) => ({ ...n, ...(boxes.get(n.id) ?? { x: 0, y: 0, width: 0, height: 0 }) }));
  const edges = graph.edges.map((e): PlacedEdge => {
    const route = routes.get(e.id);
    const points = [...(route?.points ?? [])];
    if (REVERSED.has(e.kind)) points.reverse();
    return { ...e, points, ...(route?.labelAt && e.label !== undefined ? { labelAt: route.labelAt } : {}) };
  });
  if (graph.view === 'both' && WORLDS.every((w) => nodes.some((n) => n.world === w))) {
    const physicalTop = Math.min(...nodes.filter((n) => n.world === 'physical').map((n) => n.y));
    openGap(nodes, edges, physicalTop, BETWEEN_WORLDS);
  }
  return { nodes, edges };
}

/** A large graph: each world placed by ELK on its own (both at once), then stacked. */
async function placeWorlds(graph: LabGraph, options: LayoutOptions): Promise<Placed> {
  const crossing = crossings(graph);
  const worlds = WORLDS.filter((w) => graph.nodes.some((n) => n.world === w));
  const answers = await Promise.all(worlds.map((w) => placement(worldGraph(graph, w, crossing), options)));
  const placed = Object.fromEntries(worlds.map((w, i) => [w, readElk(answers[i]!)])) as Partial<Record<World, ReturnType<typeof readElk>>>;
  return stackWorlds(graph, crossing, placed, BETWEEN_WORLDS + CROSSING_ROOM);
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
 *  laid out before its tunnels were read (the console does, while it reads them), is placed once.
 *  Past these, the store's (a file drawn again in another process), then ELK's. */
const placements = new Map<string, Promise<ElkNode>>();

function placement(input: ElkNode, options: LayoutOptions): Promise<ElkNode> {
  const run = async () => trimmed(await (await (options.elk ?? loadElk)()).layout(input));
  if (options.reuse === false) return run();
  const key = JSON.stringify(input);
  const known = placements.get(key);
  if (known) return known;
  const placing = (async () => {
    const { store } = options;
    const kept: unknown = await store?.get(key).catch(() => undefined);
    if (kept !== undefined && answers(kept, input)) return kept;
    const answer = await run();
    await store?.set(key, answer).catch(() => {}); // only time lost next time if it cannot
    return answer;
  })();
  placements.set(key, placing);
  placing.catch(() => placements.delete(key));
  if (placements.size > RECENT) placements.delete(placements.keys().next().value!);
  return placing;
}

async function place(graph: LabGraph, options: LayoutOptions): Promise<LaidOutGraph> {
  const { nodes, edges } = graph.nodes.length > LARGE ? await placeWorlds(graph, options) : await placeWhole(graph, options);
  const grouped = graph.view === 'both' && WORLDS.every((w) => nodes.some((n) => n.world === w));
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
