// A large graph laid out world by world: ELK places each world as a graph of its own, the
// logical one is set above the physical one, moved sideways so that the lines between them stand
// as upright as they can on average, and those lines (a port's placement on its hypervisor, a
// router's on its gateways, an uplink, a bridge) are drawn after, straight. Two smaller graphs
// cost ELK much less than both worlds in one with the edges that kept them apart.
// A line whose end is not on its world's facing rank (a router above its switches, a network
// under its nodes) gets a stand-in on that rank: a node of no size that ELK routes to, so the
// line passes between the rank's nodes rather than through them. The line's label (an uplink's
// address) rides on the logical stretch, placed by ELK by the line's logical end; the links'
// labels are placed after ELK (layout-labels.ts).
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { feet, type End } from './layout-feet.ts';
import { elkEdge, elkLabel, elkOptions, nodeSizes, REVERSED, type ElkPlaced, type Route } from './layout-elk.ts';
import { extent, type Bounds } from './layout-extent.ts';
import { labelsAtStart } from './layout-labels.ts';
import type { PlacedEdge, PlacedNode, Point } from './layout.ts';
import type { GraphEdge, LabGraph } from './model.ts';

export type World = 'logical' | 'physical';

/** An edge between the worlds, by its ends (every such edge goes from the logical world, model.ts). */
export interface Crossing {
  edge: GraphEdge;
  logical: string;
  physical: string;
}

const standIn = (e: GraphEdge) => `via:${e.id}`;

export function crossings(graph: LabGraph): Crossing[] {
  const worldOf = new Map(graph.nodes.map((n) => [n.id, n.world]));
  return graph.edges.flatMap((e) => {
    const [from, to] = [worldOf.get(e.from), worldOf.get(e.to)];
    if (from === undefined || to === undefined || from === to) return [];
    return [from === 'logical' ? { edge: e, logical: e.from, physical: e.to } : { edge: e, logical: e.to, physical: e.from }];
  });
}

/** One world's ELK graph: its nodes, the edges within it, and the stretches of the lines that
 *  leave it from an end off its facing rank (or with a label) to their stand-ins. */
export function worldGraph(graph: LabGraph, world: World, crossing: readonly Crossing[]): ElkNode {
  const size = nodeSizes(graph);
  const own = graph.nodes.filter((n) => n.world === world);
  const ids = new Set(own.map((n) => n.id));
  const children: ElkNode[] = own.map((n) => ({ id: n.id, ...size(n) }));
  const edges: ElkExtendedEdge[] = graph.edges
    .filter((e) => e.kind !== 'tunnel' && ids.has(e.from) && ids.has(e.to))
    // A link's label is placed after ELK (layout-labels.ts).
    .map((e) => (e.kind === 'link' ? { ...elkEdge(e), labels: [] } : elkEdge(e)));
  // Every edge flows down: the logical world's facing rank holds the nodes no edge leaves, the
  // physical world's those no edge reaches (ELK's longest-path ranks).
  const offFacing = new Set(edges.map((e) => (world === 'logical' ? e.sources[0]! : e.targets[0]!)));
  for (const { edge, logical, physical } of crossing) {
    const labelled = world === 'logical' && edge.label !== undefined;
    const end = world === 'logical' ? logical : physical;
    if (!offFacing.has(end) && !labelled) continue;
    children.push({ id: standIn(edge), width: 0, height: 0 });
    edges.push(
      world === 'logical'
        ? { id: edge.id, sources: [end], targets: [standIn(edge)], labels: elkLabel(edge) }
        : { id: edge.id, sources: [standIn(edge)], targets: [end] },
    );
  }
  // The nodes side by side in the file's order as their positions: ELK keeps it in each rank.
  let x = 0;
  for (const c of children) {
    [c.x, c.y] = [x, 0];
    x += (c.width ?? 0) + 1;
  }
  return { id: 'root', layoutOptions: elkOptions(true), children, edges };
}

const moved = (p: Point, by: Point) => ({ x: p.x + by.x, y: p.y + by.y });
const centre = (b: Bounds) => (b.x0 + b.x1) / 2;
const midX = (n: PlacedNode) => n.x + n.width / 2;

/** One world where ELK put it: its nodes, the edges within it, the stretches of the lines leaving it. */
function world(graph: LabGraph, name: World, placed: ElkPlaced) {
  const nodes = graph.nodes.flatMap((n): PlacedNode[] => {
    const at = placed.boxes.get(n.id);
    return n.world === name && at ? [{ ...n, ...at }] : [];
  });
  const ids = new Set(nodes.map((n) => n.id));
  const edges = graph.edges.flatMap((e): PlacedEdge[] => {
    if (!ids.has(e.from) || !ids.has(e.to)) return [];
    const points = placed.routes.get(e.id)?.points ?? [];
    const labelAt = placed.routes.get(e.id)?.labelAt;
    return [
      { ...e, points: REVERSED.has(e.kind) ? [...points].reverse() : points, ...(labelAt && e.label !== undefined ? { labelAt } : {}) },
    ];
  });
  return { nodes, edges };
}

/** A stretch carried on across its world's facing rank (ELK sets a stand-in at the rank's top or
 *  bottom), so that the straight line from it starts clear of the rank's nodes. */
function throughRank(r: Route | undefined, w: World, rank: number): Route | undefined {
  if (!r || r.points.length === 0) return undefined;
  if (w === 'logical') {
    const last = r.points[r.points.length - 1]!;
    return last.y < rank ? { ...r, points: [...r.points, { x: last.x, y: rank }] } : r;
  }
  const first = r.points[0]!;
  return first.y > rank ? { ...r, points: [{ x: first.x, y: rank }, ...r.points] } : r;
}

/** Both worlds placed (the logical one above, `gap` between them) and the lines between them drawn. */
export function stackWorlds(
  graph: LabGraph,
  crossing: readonly Crossing[],
  placed: Partial<Record<World, ElkPlaced>>,
  gap: number,
): { nodes: PlacedNode[]; edges: PlacedEdge[] } {
  const empty: ElkPlaced = { boxes: new Map(), routes: new Map() };
  const [upper, lower] = [world(graph, 'logical', placed.logical ?? empty), world(graph, 'physical', placed.physical ?? empty)];
  const node = new Map([...upper.nodes, ...lower.nodes].map((n) => [n.id, n]));
  const facing = { logical: Math.max(...upper.nodes.map((n) => n.y + n.height)), physical: Math.min(...lower.nodes.map((n) => n.y)) };
  const stretch = (w: World, c: Crossing) => throughRank(placed[w]?.routes.get(c.edge.id), w, facing[w]);
  // Where each line leaves its world, before moving: its stretch's end, or its node's middle.
  const leaves = (c: Crossing) => stretch('logical', c)?.points.at(-1)?.x ?? midX(node.get(c.logical)!);
  const enters = (c: Crossing) => stretch('physical', c)?.points[0]?.x ?? midX(node.get(c.physical)!);
  const stretches = (w: World) =>
    crossing.flatMap((c) => {
      const s = stretch(w, c);
      return s ? [{ ...c.edge, ...s }] : [];
    });
  const [top, bottom] = [extent(upper.nodes, [...upper.edges, ...stretches('logical')]), extent(lower.nodes, lower.edges)];
  const both = upper.nodes.length > 0 && lower.nodes.length > 0;
  const dx = !both
    ? 0
    : crossing.length > 0
      ? crossing.reduce((sum, c) => sum + enters(c) - leaves(c), 0) / crossing.length
      : centre(bottom) - centre(top);
  const dy = both ? top.y1 + gap - bottom.y0 : 0;
  for (const n of upper.nodes) n.x += dx;
  for (const n of lower.nodes) n.y += dy;
  const shift = (w: World): Point => (w === 'logical' ? { x: dx, y: 0 } : { x: 0, y: dy });
  const shifted = <R extends Route>(r: R, w: World): R => ({
    ...r,
    points: r.points.map((p) => moved(p, shift(w))),
    ...(r.labelAt ? { labelAt: moved(r.labelAt, shift(w)) } : {}),
  });
  const within = new Map(
    [...upper.edges.map((e) => shifted(e, 'logical')), ...lower.edges.map((e) => shifted(e, 'physical'))].map((e) => [e.id, e]),
  );
  const lines = crossLines(crossing, node, (w, c) => {
    const s = stretch(w, c);
    return s && shifted(s, w);
  });
  const nodes = graph.nodes.flatMap((n) => node.get(n.id) ?? []);
  const edges = graph.edges.map((e): PlacedEdge => within.get(e.id) ?? lines.get(e.id) ?? { ...e, points: [] });
  labelsAtStart(nodes, edges);
  return { nodes, edges };
}

/** The lines between the worlds (nodes and stretches already in place): a stretch, or a foot on
 *  the node's side that faces the other world, at each end. */
function crossLines(
  crossing: readonly Crossing[],
  node: Map<string, PlacedNode>,
  stretch: (w: World, c: Crossing) => Route | undefined,
): Map<string, PlacedEdge> {
  const bare = (w: World) => crossing.filter((c) => !stretch(w, c));
  const end = (c: Crossing, at: World): End => {
    const [here, there] = at === 'logical' ? [c.logical, c.physical] : [c.physical, c.logical];
    return { edge: c.edge.id, node: node.get(here)!, towards: midX(node.get(there)!) };
  };
  const [upper, lower] = [
    feet(
      bare('logical').map((c) => end(c, 'logical')),
      'bottom',
    ),
    feet(
      bare('physical').map((c) => end(c, 'physical')),
      'top',
    ),
  ];
  return new Map(
    crossing.map((c): [string, PlacedEdge] => {
      const [from, to] = [stretch('logical', c), stretch('physical', c)];
      const points = [
        ...(from?.points ?? [upper.get(`${c.edge.id}@${c.logical}`)!]),
        ...(to?.points ?? [lower.get(`${c.edge.id}@${c.physical}`)!]),
      ];
      if (c.edge.from !== c.logical) points.reverse(); // drawn from the edge's own source
      return [c.edge.id, { ...c.edge, points, ...(from?.labelAt && c.edge.label !== undefined ? { labelAt: from.labelAt } : {}) }];
    }),
  );
}
