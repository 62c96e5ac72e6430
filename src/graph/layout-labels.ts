// Labels placed by us rather than ELK: a tunnel's at its arc's top (layout-arcs.ts), and in a
// large graph a link's (a node's address on a network) by its node. A large graph's node row
// with ELK's labels under it was a third wider than the row of ports above it, so the lines
// between the worlds fanned out nearly flat, and its hundreds of labels took ELK a good part of
// its time; placed here, by the line's start on the node's side, a row lower where that space
// is taken, as ELK places them, they cost nothing.
import { LABEL_TEXT, textWidth } from './metrics.ts';
import type { PlacedEdge, PlacedNode, Point } from './layout.ts';

type Rect = { x0: number; x1: number; y0: number; y1: number };

/** The boxes taken so far (labels, nodes), in buckets along x so a mesh of thousands stays quick. */
export class LabelSpace {
  private readonly buckets = new Map<number, Rect[]>();
  private static readonly SIZE = 200;

  private keys(box: Rect): number[] {
    const [first, last] = [Math.floor(box.x0 / LabelSpace.SIZE), Math.floor(box.x1 / LabelSpace.SIZE)];
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  }

  /** Takes `box` whether or not something has it (a node). */
  hold(box: Rect): void {
    for (const k of this.keys(box)) {
      const bucket = this.buckets.get(k);
      if (bucket) bucket.push(box);
      else this.buckets.set(k, [box]);
    }
  }

  /** Takes the space for a label centred at `at`, if nothing has it yet. */
  take(at: Point, width: number): boolean {
    const box = { x0: at.x - width / 2, x1: at.x + width / 2, y0: at.y - LABEL_TEXT.lineHeight / 2, y1: at.y + LABEL_TEXT.lineHeight / 2 };
    const seen = this.keys(box).flatMap((k) => this.buckets.get(k) ?? []);
    if (seen.some((b) => b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1)) return false;
    this.hold(box);
    return true;
  }
}

/** Rows tried below (or above) a line's start before its label is put on the last one anyway. */
const ROWS = 6;
/** Between a line and its label, and between a node and the label's first row. */
const GAP = 3;

/** Places the label of each labelled edge ELK did not place (but tunnels, which are arcs): at
 *  the line's start (its `from` node's address, VLAN...), beside it, on the side it leaves. The
 *  lines leaving a node so labelled start straight out of it past its lowest label, as ELK draws
 *  them, so that no line crosses a label there. */
export function labelsAtStart(nodes: readonly PlacedNode[], edges: PlacedEdge[]): void {
  const space = new LabelSpace();
  for (const n of nodes) space.hold({ x0: n.x, x1: n.x + n.width, y0: n.y, y1: n.y + n.height });
  for (const e of edges) if (e.labelAt && e.label !== undefined) space.take(e.labelAt, textWidth(e.label, LABEL_TEXT) + 4);
  const unplaced = edges.filter((e) => e.label !== undefined && !e.labelAt && e.kind !== 'tunnel' && e.points.length >= 2);
  unplaced.sort((a, b) => a.points[0]!.y - b.points[0]!.y || a.points[0]!.x - b.points[0]!.x);
  /** How far from its node each node's labels reach, by node and side. */
  const reach = new Map<string, number>();
  const side = (e: PlacedEdge) => (e.points[1]!.y >= e.points[0]!.y ? 1 : -1);
  for (const e of unplaced) {
    const start = e.points[0]!;
    const width = textWidth(e.label!, LABEL_TEXT) + 4;
    const row = (i: number) => ({
      x: start.x + GAP + width / 2,
      y: start.y + side(e) * (GAP + LABEL_TEXT.lineHeight / 2 + i * LABEL_TEXT.lineHeight),
    });
    let i = 0;
    while (i < ROWS - 1 && !space.take(row(i), width)) i++;
    e.labelAt = row(i);
    const key = `${e.from} ${side(e)}`;
    reach.set(key, Math.max(reach.get(key) ?? 0, GAP + (i + 1) * LABEL_TEXT.lineHeight + GAP));
  }
  for (const e of unplaced) {
    const [start, next] = [e.points[0]!, e.points[1]!];
    const out = { x: start.x, y: start.y + side(e) * reach.get(`${e.from} ${side(e)}`)! };
    if (Math.abs(next.y - start.y) > Math.abs(out.y - start.y)) e.points = [start, out, ...e.points.slice(1)];
  }
}
