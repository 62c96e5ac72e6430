// Tunnels drawn as arcs over the transport nodes ELK placed: each tunnel leaves its node's top
// side at its own point (ends ordered by where the other node is, so arcs do not cross at their
// feet), rises higher the farther it goes, and carries its label at its top unless another
// tunnel's label is already there (a mesh of tunnels would print one word in a heap).
import { feet, type End } from './layout-feet.ts';
import { LabelSpace } from './layout-labels.ts';
import { LABEL_TEXT, textWidth } from './metrics.ts';
import type { GraphEdge } from './model.ts';
import type { PlacedEdge, PlacedNode, Point } from './layout.ts';

/** The highest an arc rises above its ends (the layout leaves this much room). */
export const ARC_MAX = 40;

const centreX = (n: PlacedNode) => n.x + n.width / 2;

/** Where each tunnel meets each of its two nodes (on their top sides). */
function tunnelFeet(nodes: Map<string, PlacedNode>, tunnels: readonly GraphEdge[]): Map<string, Point> {
  const ends = tunnels.flatMap((t): End[] => {
    const [a, b] = [nodes.get(t.from), nodes.get(t.to)];
    if (!a || !b) return [];
    return [
      { edge: t.id, node: a, towards: centreX(b) },
      { edge: t.id, node: b, towards: centreX(a) },
    ];
  });
  return feet(ends, 'top');
}

/** Each tunnel's arc, by edge id. */
export function tunnelArcs(placed: readonly PlacedNode[], tunnels: readonly GraphEdge[]): Map<string, PlacedEdge> {
  const nodes = new Map(placed.map((n) => [n.id, n]));
  const at = tunnelFeet(nodes, tunnels);
  const ends = tunnels.flatMap((t) => {
    const [p0, p3] = [at.get(`${t.id}@${t.from}`), at.get(`${t.id}@${t.to}`)];
    return p0 && p3 ? [{ t, p0, p3 }] : [];
  });
  const widest = Math.max(1, ...ends.map(({ p0, p3 }) => Math.abs(p3.x - p0.x)));
  const arcs = new Map<string, PlacedEdge>();
  // Tunnels between the same two nodes (one per encap) rise one label higher each.
  const parallel = new Map<string, number>();
  for (const { t, p0, p3 } of ends) {
    const pair = [t.from, t.to].sort().join(' ');
    const nth = parallel.get(pair) ?? 0;
    parallel.set(pair, nth + 1);
    const rise = Math.min(
      ARC_MAX + 2 * LABEL_TEXT.lineHeight,
      10 + ((ARC_MAX - 10) * Math.abs(p3.x - p0.x)) / widest + nth * LABEL_TEXT.lineHeight,
    );
    const top = Math.min(p0.y, p3.y) - rise;
    // Control points straight above the ends, at the height that puts the curve's middle at `top`.
    const cy = (top - (p0.y + p3.y) / 8) / 0.75;
    arcs.set(t.id, {
      ...t,
      points: [p0, { x: p0.x, y: cy }, { x: p3.x, y: cy }, p3],
      curved: true,
      labelAt: { x: (p0.x + p3.x) / 2, y: top },
    });
  }
  // Rare labels first (the one vxlan tunnel among many geneve ones), so a heap hides the common.
  const count = new Map<string | undefined, number>();
  for (const t of tunnels) count.set(t.label, (count.get(t.label) ?? 0) + 1);
  const labels = new LabelSpace();
  for (const arc of [...arcs.values()].sort((a, b) => count.get(a.label)! - count.get(b.label)!)) {
    if (arc.label === undefined || !labels.take(arc.labelAt!, textWidth(arc.label, LABEL_TEXT) + 4)) delete arc.labelAt;
  }
  return arcs;
}
