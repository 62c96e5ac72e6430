// What ELK is given for a lab's graph and what is read of its answer: its settings (cheaper ones
// for a large graph), each node's size, each edge with its label, and the places and routes it
// chose. Nothing here knows how the worlds are arranged (layout.ts, layout-worlds.ts).
import type { ElkEdgeSection, ElkExtendedEdge, ElkLabel, ElkNode } from 'elkjs/lib/elk-api.js';
import { LABEL_TEXT, nodeBox, textWidth } from './metrics.ts';
import type { GraphEdge, GraphNode, LabGraph } from './model.ts';
import type { Point } from './layout.ts';

/** Past this many nodes, cheaper settings and each world laid out on its own (layout-worlds.ts):
 *  ELK's time grows fast with size (see bench:graph). A lab of 20 hypervisors (46 nodes) takes
 *  0.7 s cold and 0.1 s warm with them, 1.1 s and 0.25 s without (its picture, a fan of ports
 *  over a row of nodes, loses nothing); the console's first paint of such a lab drops by about
 *  half a second (bench:console). */
export const LARGE = 40;

/** Edges whose natural reading is bottom-up, turned for the layout so every edge flows down. */
export const REVERSED = new Set<GraphEdge['kind']>(['port']);

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
 *  file's order (no crossing reduction: each node is given its place in the file as its position,
 *  which ELK keeps; without, it moved the last of a row of twenty to the front), each layer's
 *  nodes simply side by side, one piece. */
const LARGE_OPTIONS: Record<string, string> = {
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.layering.strategy': 'LONGEST_PATH',
  'elk.separateConnectedComponents': 'false',
  'elk.layered.crossingMinimization.strategy': 'INTERACTIVE',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
};

/** ELK's settings for a graph of usual size, or for one world of a large graph. */
export const elkOptions = (large: boolean) => ({ ...OPTIONS, ...(large ? LARGE_OPTIONS : USUAL_OPTIONS) });

/** Each node's size: a network is drawn as a bus, as wide as its links need, so they do not
 *  converge on a point. */
export function nodeSizes(graph: LabGraph): (n: GraphNode) => { width: number; height: number } {
  const degree = new Map<string, number>();
  for (const e of graph.edges) for (const id of [e.from, e.to]) degree.set(id, (degree.get(id) ?? 0) + 1);
  return (n) => {
    const box = nodeBox(n.lines);
    return n.kind === 'network' ? { ...box, width: Math.max(box.width, (degree.get(n.id) ?? 0) * 18) } : box;
  };
}

export function elkLabel(e: GraphEdge): ElkLabel[] {
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

export function elkEdge(e: GraphEdge): ElkExtendedEdge {
  const [from, to] = REVERSED.has(e.kind) ? [e.to, e.from] : [e.from, e.to];
  // The mapping between the worlds matters less than either world's own shape.
  const layoutOptions: Record<string, string> =
    e.kind === 'placement' ? { 'elk.layered.priority.shortness': '0', 'elk.layered.priority.straightness': '0' } : {};
  return { id: e.id, sources: [from], targets: [to], labels: elkLabel(e), layoutOptions };
}

/** A graph of usual size, both worlds in one ELK graph, each world its own partition. */
export function elkGraph(graph: LabGraph): ElkNode {
  const size = nodeSizes(graph);
  const partition = (n: GraphNode) => ({ 'elk.partitioning.partition': n.world === 'logical' ? '0' : '1' });
  const children: ElkNode[] = graph.nodes.map((n) => ({ id: n.id, ...size(n), layoutOptions: partition(n) }));
  const edges = graph.edges.filter((e) => e.kind !== 'tunnel').map(elkEdge);
  return { id: 'root', layoutOptions: elkOptions(false), children, edges };
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A route ELK chose: its points from the ELK edge's source to its target, and its label's centre. */
export interface Route {
  points: Point[];
  labelAt?: Point;
}

/** What is read of ELK's answer: where each node is and how each edge goes, by id. */
export interface ElkPlaced {
  boxes: Map<string, Box>;
  routes: Map<string, Route>;
}

export function readElk(root: ElkNode): ElkPlaced {
  const boxes = new Map((root.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 }]));
  const routes = new Map(
    (root.edges ?? []).map((e): [string, Route] => {
      const points = (e.sections ?? []).flatMap((s, i) => [...(i === 0 ? [s.startPoint] : []), ...(s.bendPoints ?? []), s.endPoint]);
      const label = e.labels?.[0];
      const labelAt = label && { x: (label.x ?? 0) + (label.width ?? 0) / 2, y: (label.y ?? 0) + (label.height ?? 0) / 2 };
      return [e.id, { points: points.map((p) => ({ x: p.x, y: p.y })), ...(labelAt ? { labelAt } : {}) }];
    }),
  );
  return { boxes, routes };
}

/** ELK's answer reduced to what readElk reads: what is kept of it, in memory and on disk. */
export function trimmed(root: ElkNode): ElkNode {
  const point = (p: { x: number; y: number }) => ({ x: p.x, y: p.y });
  return {
    id: root.id,
    children: (root.children ?? []).map(({ id, x, y, width, height }) => ({ id, x, y, width, height })),
    edges: (root.edges ?? []).map((e) => ({
      id: e.id,
      sources: [],
      targets: [],
      sections: (e.sections ?? []).map((s) => ({
        id: s.id,
        startPoint: point(s.startPoint),
        endPoint: point(s.endPoint),
        ...(s.bendPoints ? { bendPoints: s.bendPoints.map(point) } : {}),
      })),
      labels: (e.labels ?? []).map(({ x, y, width, height }) => ({ x, y, width, height })),
    })),
  };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPoint = (p: unknown): boolean => typeof p === 'object' && p !== null && isNumber((p as Point).x) && isNumber((p as Point).y);

/** Whether `answer` (read back from a store, so possibly anything) places every node and routes
 *  every edge of `input`. */
export function answers(answer: unknown, input: ElkNode): answer is ElkNode {
  if (typeof answer !== 'object' || answer === null) return false;
  const { children, edges } = answer as ElkNode;
  if (!Array.isArray(children) || !Array.isArray(edges)) return false;
  const boxes = new Map(children.map((c) => [c?.id, c]));
  const routes = new Map(edges.map((e) => [e?.id, e]));
  const placedNode = (id: string) => {
    const c = boxes.get(id);
    return c !== undefined && [c.x, c.y, c.width, c.height].every(isNumber);
  };
  const routed = (e: ElkExtendedEdge) => {
    const { sections, labels } = routes.get(e.id) ?? {};
    const section = (s: ElkEdgeSection) => isPoint(s?.startPoint) && isPoint(s?.endPoint) && (s.bendPoints ?? []).every(isPoint);
    const labelled = (e.labels ?? []).length === 0 || (Array.isArray(labels) && [labels[0]?.x, labels[0]?.y].every(isNumber));
    return Array.isArray(sections) && sections.length > 0 && sections.every(section) && labelled;
  };
  return (input.children ?? []).every((c) => placedNode(c.id)) && (input.edges ?? []).every(routed);
}
