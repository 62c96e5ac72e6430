// What placed nodes and edges cover (nodes, routes, arcs and labels), and each world's box
// around its own, so the picture and its groups are as large as what is drawn.
import { GROUP_TITLE, LABEL_TEXT, textWidth } from './metrics.ts';
import type { PlacedEdge, PlacedGroup, PlacedNode } from './layout.ts';

/** A world's box: padding around its nodes. */
export const GROUP_PAD = 16;
export const WORLDS = ['logical', 'physical'] as const;

export type Bounds = { x0: number; y0: number; x1: number; y1: number };
export const EMPTY: Bounds = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
export const grow = (b: Bounds, x0: number, y0: number, x1 = x0, y1 = y0): Bounds => ({
  x0: Math.min(b.x0, x0),
  y0: Math.min(b.y0, y0),
  x1: Math.max(b.x1, x1),
  y1: Math.max(b.y1, y1),
});

/** What a set of nodes and edges covers: nodes, routes (an arc's top is its label's) and labels. */
export function extent(nodes: readonly PlacedNode[], edges: readonly PlacedEdge[]): Bounds {
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
export function groupsOf(nodes: readonly PlacedNode[], edges: readonly PlacedEdge[]): PlacedGroup[] {
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
