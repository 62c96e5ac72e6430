// Where lines drawn after ELK (tunnel arcs, the lines between the worlds) meet a node: spread
// along one side in the order of where each goes, so that they do not cross at their feet.
import type { PlacedNode, Point } from './layout.ts';

export interface End {
  /** The edge's id. */
  edge: string;
  node: PlacedNode;
  /** The x its line heads for (the other end's). */
  towards: number;
}

/** Each end's point on its node's top or bottom side, by `${edge}@${node id}`. */
export function feet(ends: readonly End[], side: 'top' | 'bottom'): Map<string, Point> {
  const byNode = new Map<PlacedNode, End[]>();
  for (const end of ends) {
    const list = byNode.get(end.node);
    if (list) list.push(end);
    else byNode.set(end.node, [end]);
  }
  const at = new Map<string, Point>();
  for (const [n, list] of byNode) {
    list.sort((p, q) => p.towards - q.towards || (p.edge < q.edge ? -1 : 1));
    const y = side === 'top' ? n.y : n.y + n.height;
    list.forEach((end, i) => at.set(`${end.edge}@${n.id}`, { x: n.x + ((i + 1) * n.width) / (list.length + 1), y }));
  }
  return at;
}
