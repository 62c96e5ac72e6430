// Where each node and edge of a lab's graph is drawn. STUB: a grid, to be replaced by elkjs.
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
  /** Where its label goes (absent: no label). */
  labelAt?: Point;
}

export interface LaidOutGraph extends Omit<LabGraph, 'nodes' | 'edges'> {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** Lays out a graph (works in Node and in a browser). */
export async function layoutGraph(graph: LabGraph): Promise<LaidOutGraph> {
  const cols = Math.ceil(Math.sqrt(graph.nodes.length)) || 1;
  const nodes = graph.nodes.map((n, i) => ({ ...n, x: (i % cols) * 180, y: Math.floor(i / cols) * 100, width: 140, height: 60 }));
  const at = new Map(nodes.map((n) => [n.id, n]));
  const centre = (id: string): Point => {
    const n = at.get(id)!;
    return { x: n.x + n.width / 2, y: n.y + n.height / 2 };
  };
  const edges = graph.edges.map((e) => ({ ...e, points: [centre(e.from), centre(e.to)] }));
  return { ...graph, width: cols * 180, height: Math.ceil(nodes.length / cols) * 100, nodes, edges };
}
