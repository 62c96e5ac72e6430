// A laid-out graph as SVG text (no DOM, so Node and the browser draw it the same): one <g> per
// node and per edge, each with its id in `data-id` and classes for its kind and live state
// (`kind-tunnel state-down`), so a viewer can find them and a page can restyle them. Styles are
// embedded (svg-style.ts); every piece of text is escaped.
import type { LaidOutGraph, PlacedEdge, PlacedGroup, PlacedNode, Point } from './layout.ts';
import { NODE_PADDING, NODE_TEXT } from './metrics.ts';
import { GRAPH_CSS } from './svg-style.ts';

export interface SvgOptions {
  /** Node and edge ids to draw highlighted (a trace's path); the rest is dimmed. */
  highlight?: { nodes: readonly string[]; edges: readonly string[] };
}

/** Text and attribute values as XML reads them. */
export const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

const DENSE_TUNNELS = 150;

const num = (v: number) => String(Math.round(v * 10) / 10);
const pt = (p: Point) => `${num(p.x)},${num(p.y)}`;

/** The outline of a node, by kind: pills for members and ports, a hexagon for a network, a
 *  slanted box for a host, rounded boxes for routers, square ones for the rest. */
function shape(n: PlacedNode): string {
  const { x, y, width: w, height: h } = n;
  const box = (rx: number) => `<rect class="shape" x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" rx="${num(rx)}"/>`;
  const poly = (ps: Point[]) => `<polygon class="shape" points="${ps.map(pt).join(' ')}"/>`;
  switch (n.kind) {
    case 'member':
    case 'port':
      return box(h / 2);
    case 'router':
      return box(12);
    case 'network': {
      const s = Math.min(10, h / 2);
      return poly([
        { x: x + s, y },
        { x: x + w - s, y },
        { x: x + w, y: y + h / 2 },
        { x: x + w - s, y: y + h },
        { x: x + s, y: y + h },
        { x, y: y + h / 2 },
      ]);
    }
    case 'host':
      return poly([
        { x: x + 6, y },
        { x: x + w, y },
        { x: x + w - 6, y: y + h },
        { x, y: y + h },
      ]);
    case 'switch':
      return `${box(2)}<rect class="shape inner" x="${num(x + 3)}" y="${num(y + 3)}" width="${num(w - 6)}" height="${num(h - 6)}" rx="1" fill="none"/>`;
    default:
      return box(3);
  }
}

function nodeText(n: PlacedNode): string {
  const cx = num(n.x + n.width / 2);
  // A line's baseline sits about four fifths down its line box.
  const spans = n.lines.map(
    (l, i) =>
      `<tspan x="${cx}" y="${num(n.y + NODE_PADDING.y + i * NODE_TEXT.lineHeight + NODE_TEXT.lineHeight * 0.78)}"${i === 0 ? ' class="name"' : ''}>${escapeXml(l)}</tspan>`,
  );
  return `<text>${spans.join('')}</text>`;
}

const classes = (base: string, kind: string, state: string | undefined, hl: boolean, extra: string[] = []) =>
  [base, `kind-${kind}`, ...(state ? [`state-${state}`] : []), ...extra, ...(hl ? ['hl'] : [])].join(' ');

function nodeSvg(n: PlacedNode, hl: boolean): string {
  const badge = n.state ? `<circle class="badge" cx="${num(n.x + n.width - 5)}" cy="${num(n.y + 5)}" r="5"/>` : '';
  const title = `${n.kind} ${n.name}${n.state ? ` (${n.state})` : ''}`;
  return (
    `<g class="${classes('node', n.kind, n.state, hl, [`world-${n.world}`])}" data-id="${escapeXml(n.id)}">` +
    `<title>${escapeXml(title)}</title>${shape(n)}${nodeText(n)}${badge}</g>`
  );
}

function pathData(e: PlacedEdge): string {
  const [first, ...rest] = e.points;
  if (!first) return '';
  if (e.curved) return `M${pt(first)} C${rest.map(pt).join(' ')}`;
  return `M${pt(first)}${rest.map((p) => ` L${pt(p)}`).join('')}`;
}

function edgeSvg(e: PlacedEdge, hl: boolean): string {
  const d = pathData(e);
  const extra = e.attrs.active === true ? ['active'] : [];
  const label =
    e.label !== undefined && e.labelAt ? `<text x="${num(e.labelAt.x)}" y="${num(e.labelAt.y)}">${escapeXml(e.label)}</text>` : '';
  const title = `${e.kind} ${e.from} - ${e.to}${e.label ? `: ${e.label}` : ''}${e.state ? ` (${e.state})` : ''}`;
  return (
    `<g class="${classes('edge', e.kind, e.state, hl, extra)}" data-id="${escapeXml(e.id)}"><title>${escapeXml(title)}</title>` +
    `<path class="hit" d="${d}"/><path class="line" d="${d}"/>${label}</g>`
  );
}

function groupSvg(g: PlacedGroup): string {
  return (
    `<g class="group world-${g.world}"><rect x="${num(g.x)}" y="${num(g.y)}" width="${num(g.width)}" height="${num(g.height)}" rx="6"/>` +
    `<text x="${num(g.x + 12)}" y="${num(g.y + 17)}">${g.world.toUpperCase()} WORLD</text></g>`
  );
}

export function toSvg(g: LaidOutGraph, options: SvgOptions = {}): string {
  const hlNodes = new Set(options.highlight?.nodes ?? []);
  const hlEdges = new Set(options.highlight?.edges ?? []);
  const highlighting = options.highlight !== undefined;
  // Hundreds of tunnels are drawn fine, or they merge into one band.
  const dense = g.edges.filter((e) => e.kind === 'tunnel').length > DENSE_TUNNELS;
  // Tunnels last among the edges, so the mapping's dotted lines never cover them.
  const edges = [...g.edges].sort((a, b) => Number(a.kind === 'tunnel') - Number(b.kind === 'tunnel'));
  const [w, h] = [num(g.width), num(g.height)];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="nv-graph${highlighting ? ' highlighting' : ''}${dense ? ' dense' : ''}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}">`,
    `<title>${escapeXml(`${g.lab}: ${g.view}`)}</title>`,
    `<style>${GRAPH_CSS}</style>`,
    '<g class="viewport">',
    `<g class="groups">${(g.groups ?? []).map(groupSvg).join('')}</g>`,
    `<g class="edges">${edges.map((e) => edgeSvg(e, hlEdges.has(e.id))).join('\n')}</g>`,
    `<g class="nodes">${g.nodes.map((n) => nodeSvg(n, hlNodes.has(n.id))).join('\n')}</g>`,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
