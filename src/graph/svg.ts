// A laid-out graph as SVG text (no DOM, so Node and the browser draw it the same). STUB.
import type { LaidOutGraph } from './layout.ts';

export interface SvgOptions {
  /** Node and edge ids to draw highlighted (a trace's path). */
  highlight?: { nodes: readonly string[]; edges: readonly string[] };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function toSvg(g: LaidOutGraph, _options: SvgOptions = {}): string {
  const nodes = g.nodes.map(
    (n) =>
      `<g class="node ${n.kind}" data-id="${esc(n.id)}"><rect x="${n.x}" y="${n.y}" width="${n.width}" height="${n.height}"/>` +
      `<text x="${n.x + 4}" y="${n.y + 16}">${esc(n.name)}</text></g>`,
  );
  const edges = g.edges.map(
    (e) => `<polyline class="edge ${e.kind}" data-id="${esc(e.id)}" points="${e.points.map((p) => `${p.x},${p.y}`).join(' ')}"/>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${g.width} ${g.height}">${edges.join('')}${nodes.join('')}</svg>\n`;
}
