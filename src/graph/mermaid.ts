// A lab's graph as a Mermaid flowchart (it renders in GitHub Markdown): each world a subgraph,
// a shape per kind, tunnels thick, the mapping between the worlds dotted.
import { STATE_COLOURS, type GraphEdge, type GraphNode, type GraphNodeKind, type LabGraph } from './model.ts';

/** Mermaid ids: letters and digits, anything else as `_` and its code in hex (so two ids stay two). */
const idOf = (id: string) => id.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
/** Text in quotes, as Mermaid reads it (a quote becomes its entity). */
const text = (lines: readonly string[]) => `"${lines.map((l) => l.replace(/"/g, '#quot;')).join('<br/>')}"`;

const SHAPES: Record<GraphNodeKind, [string, string]> = {
  member: ['([', '])'],
  'transport-node': ['[', ']'],
  network: ['{{', '}}'],
  host: ['[/', '/]'],
  switch: ['[[', ']]'],
  router: ['((', '))'],
  port: ['(', ')'],
};

function nodeLine(n: GraphNode): string {
  const [open, close] = SHAPES[n.kind];
  return `    ${idOf(n.id)}${open}${text(n.lines)}${close}${n.state ? `:::${n.state}` : ''}`;
}

function edgeLine(e: GraphEdge): string {
  const arrow = e.kind === 'tunnel' ? '===' : e.kind === 'placement' ? '-.-' : '---';
  const label = e.label === undefined ? '' : `|${text([e.label])}|`;
  return `  ${idOf(e.from)} ${arrow}${label} ${idOf(e.to)}`;
}

export function toMermaid(graph: LabGraph): string {
  const lines = ['flowchart LR'];
  for (const world of ['physical', 'logical'] as const) {
    const nodes = graph.nodes.filter((n) => n.world === world);
    if (nodes.length === 0) continue;
    lines.push(`  subgraph ${world}["${world}"]`, ...nodes.map(nodeLine), '  end');
  }
  lines.push(...graph.edges.map(edgeLine));
  // A live graph: nodes by class, edges by their index (Mermaid styles links no other way).
  const states = new Set([...graph.nodes, ...graph.edges].flatMap((x) => (x.state ? [x.state] : [])));
  for (const state of states) lines.push(`  classDef ${state} stroke:${STATE_COLOURS[state]},stroke-width:2px`);
  graph.edges.forEach((e, k) => {
    if (e.state) lines.push(`  linkStyle ${k} stroke:${STATE_COLOURS[e.state]}`);
  });
  return `${lines.join('\n')}\n`;
}
