// Tunnels drawn as arcs over the transport nodes ELK placed: each tunnel leaves its node's top
// side at its own point (ends ordered by where the other node is, so arcs do not cross at their
// feet), rises higher the farther it goes, and carries its label at its top unless another
// tunnel's label is already there (a mesh of tunnels would print one word in a heap).
import { LABEL_TEXT, textWidth } from './metrics.ts';
import type { GraphEdge } from './model.ts';
import type { PlacedEdge, PlacedNode, Point } from './layout.ts';

/** The highest an arc rises above its ends (the layout leaves this much room). */
export const ARC_MAX = 40;

const centreX = (n: PlacedNode) => n.x + n.width / 2;

/** Where each tunnel meets each of its two nodes. */
function feet(nodes: Map<string, PlacedNode>, tunnels: readonly GraphEdge[]): Map<string, Point> {
  const ends = new Map<string, { tunnel: string; other: PlacedNode }[]>();
  for (const t of tunnels) {
    const [a, b] = [nodes.get(t.from), nodes.get(t.to)];
    if (!a || !b) continue;
    for (const [n, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const list = ends.get(n.id);
      if (list) list.push({ tunnel: t.id, other });
      else ends.set(n.id, [{ tunnel: t.id, other }]);
    }
  }
  const at = new Map<string, Point>();
  for (const [id, list] of ends) {
    const n = nodes.get(id)!;
    list.sort((p, q) => centreX(p.other) - centreX(q.other) || (p.tunnel < q.tunnel ? -1 : 1));
    list.forEach((end, i) => at.set(`${end.tunnel}@${id}`, { x: n.x + ((i + 1) * n.width) / (list.length + 1), y: n.y }));
  }
  return at;
}

/** Each tunnel's arc, by edge id. */
export function tunnelArcs(placed: readonly PlacedNode[], tunnels: readonly GraphEdge[]): Map<string, PlacedEdge> {
  const nodes = new Map(placed.map((n) => [n.id, n]));
  const at = feet(nodes, tunnels);
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

/** The label boxes taken so far, in buckets along x so a mesh of thousands stays quick. */
class LabelSpace {
  private readonly buckets = new Map<number, { x0: number; x1: number; y0: number; y1: number }[]>();
  private static readonly SIZE = 200;

  /** Takes the space for a label centred at `at`, if nothing has it yet. */
  take(at: Point, width: number): boolean {
    const box = { x0: at.x - width / 2, x1: at.x + width / 2, y0: at.y - LABEL_TEXT.lineHeight / 2, y1: at.y + LABEL_TEXT.lineHeight / 2 };
    const keys = [Math.floor(box.x0 / LabelSpace.SIZE), Math.floor(box.x1 / LabelSpace.SIZE)];
    const seen = keys.flatMap((k) => this.buckets.get(k) ?? []);
    if (seen.some((b) => b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1)) return false;
    for (const k of new Set(keys)) {
      const bucket = this.buckets.get(k);
      if (bucket) bucket.push(box);
      else this.buckets.set(k, [box]);
    }
    return true;
  }
}
