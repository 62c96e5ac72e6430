// A lab's graph in Graphviz's dot language: each world a cluster, a shape per kind, tunnels
// bold, the mapping between the worlds dashed.
import { STATE_COLOURS, type GraphEdge, type GraphNode, type GraphNodeKind, type LabGraph, type GraphState } from './model.ts';

/** A dot string: quoted, quotes and backslashes escaped; lines joined with centred breaks. */
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const label = (lines: readonly string[]) => `"${lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\n')}"`;

const SHAPES: Record<GraphNodeKind, string> = {
  member: 'ellipse',
  'transport-node': 'box3d',
  network: 'hexagon',
  host: 'parallelogram',
  switch: 'box',
  router: 'circle',
  port: 'oval',
};

/** A live graph's state as a colour (and a class, for SVG styling). */
const colour = (state: GraphState | undefined) => (state ? `, color=${quote(STATE_COLOURS[state])}, class=${quote(`state-${state}`)}` : '');

const nodeLine = (n: GraphNode) => `    ${quote(n.id)} [shape=${SHAPES[n.kind]}, label=${label(n.lines)}${colour(n.state)}];`;

function edgeLine(e: GraphEdge): string {
  const style = e.kind === 'tunnel' ? ', style=bold' : e.kind === 'placement' ? ', style=dashed' : '';
  const text = e.label === undefined ? '' : `, label=${quote(e.label)}`;
  const state = e.state ? `, color=${quote(STATE_COLOURS[e.state])}` : '';
  return `  ${quote(e.from)} -- ${quote(e.to)} [class=${quote(e.state ? `${e.kind} state-${e.state}` : e.kind)}${text}${style}${state}];`;
}

export function toDot(graph: LabGraph): string {
  const lines = [`graph ${quote(graph.lab)} {`, '  rankdir=LR;', '  node [fontsize=10];', '  edge [fontsize=9];'];
  for (const world of ['physical', 'logical'] as const) {
    const nodes = graph.nodes.filter((n) => n.world === world);
    if (nodes.length === 0) continue;
    lines.push(`  subgraph ${quote(`cluster_${world}`)} {`, `    label=${quote(world)};`, ...nodes.map(nodeLine), '  }');
  }
  lines.push(...graph.edges.map(edgeLine), '}');
  return `${lines.join('\n')}\n`;
}
