// A trace's path as a highlight on the lab's graph: the nodes its hops are on (transport nodes,
// hosts) and the logical objects they cross (ports, switches, routers, physical networks), the
// tunnels it went through, and the edges joining what it crossed where it crossed them (a port on
// its node, a router on the gateway that routed it); and its verdict in words. Pure: toSvg draws
// the highlight, the trace view shows the verdict.
import type { LabGraph } from '../graph/index.ts';
import type { TraceHop, TracePath } from '../model/index.ts';
// Values from the model's zod-free file (see poller.ts).
import { DROP_REASONS, pathNodes } from '../model/trace-vocabulary.ts';

export interface PathHighlight {
  nodes: string[];
  edges: string[];
  /** The graph node where the packet was dropped, if it was and that node is drawn. */
  dropped?: string;
}

const LOGICAL_KIND: Partial<Record<TraceHop['component'], string>> = {
  port: 'port',
  'logical-switch': 'switch',
  'logical-router': 'router',
  'physical-network': 'network',
  host: 'host',
};

export function pathHighlight(graph: LabGraph, path: TracePath): PathHighlight {
  const drawn = new Set(graph.nodes.map((n) => n.id));
  const nodes = new Set<string>();
  /** Pairs the path joins: a tunnel's two nodes, a logical object and the node it was crossed on. */
  const pairs = new Set<string>();
  const pair = (a: string, b: string) => pairs.add([a, b].sort().join(' '));
  const place = (name: string) => [`transport-node:${name}`, `host:${name}`, `member:${name}`].find((id) => drawn.has(id));
  let dropped: string | undefined;
  for (const hop of path.hops) {
    const at = place(hop.node);
    if (at) nodes.add(at);
    const kind = LOGICAL_KIND[hop.component];
    const logical = kind && hop.logical ? `${kind}:${hop.logical}` : undefined;
    if (logical && drawn.has(logical)) {
      nodes.add(logical);
      if (at) pair(logical, at);
    }
    if (hop.tunnel && at) {
      const remote = place(hop.tunnel.remote);
      if (remote) pair(at, remote);
    }
    if (hop.observation === 'dropped') dropped = logical && drawn.has(logical) ? logical : at;
  }
  const edges = graph.edges.filter((e) => {
    if (!nodes.has(e.from) || !nodes.has(e.to)) return false;
    // Between two logical objects (a port on its switch, a router's interface): both crossed.
    // Between worlds, and tunnels and links: only where the path joined the two.
    const sameWorld = ['port', 'interface', 'uplink', 'bridge'].includes(e.kind);
    return sameWorld || pairs.has([e.from, e.to].sort().join(' '));
  });
  return { nodes: [...nodes], edges: edges.map((e) => e.id), ...(dropped ? { dropped } : {}) };
}

/** A path's verdict in a sentence: delivered through which nodes, or dropped where and why. */
export function verdict(path: TracePath, to: string): { dropped: boolean; text: string } {
  const via = pathNodes(path).join(' → ');
  if (path.delivered) return { dropped: false, text: `Delivered to ${to}, through ${via}.` };
  const drop = path.hops.find((h) => h.observation === 'dropped');
  const reason = drop?.reason ?? path.reason;
  const why = [reason ? `${reason}: ${DROP_REASONS[reason]}` : undefined, drop?.detail].filter(Boolean).join(' — ');
  return { dropped: true, text: `Dropped${drop ? ` at ${drop.node}` : ''}${why ? ` (${why})` : ''}; path ${via || 'none'}.` };
}
