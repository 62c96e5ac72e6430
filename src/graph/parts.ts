// The pieces of a lab's graph, one definition each: what a member, a transport node, a switch,
// a port, a router and the edges between them look like, whatever they were read from (a
// topology file's plan, or the northbound API of a running lab).
import { nodeId, type GraphEdge, type GraphNode } from './model.ts';

export const MGMT = 'management';
export const UNDERLAY = 'underlay';

export interface GraphParts {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

type Attrs = GraphNode['attrs'];

/** Leaves out attributes that are not known (absent in what the graph was read from). */
const known = (attrs: Record<string, string | number | boolean | undefined>): Attrs =>
  Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined)) as Attrs;

export class GraphBuilder implements GraphParts {
  nodes: GraphNode[] = [];
  edges: GraphEdge[] = [];
  private edgeIds = new Set<string>();

  private node(
    kind: GraphNode['kind'],
    name: string,
    lines: (string | undefined)[],
    attrs: Record<string, string | number | boolean | undefined>,
  ) {
    const world = kind === 'switch' || kind === 'router' || kind === 'port' ? 'logical' : 'physical';
    const id = nodeId(kind, name);
    this.nodes.push({ id, kind, name, world, lines: lines.filter((l): l is string => l !== undefined), attrs: known(attrs) });
    return id;
  }

  edge(
    kind: GraphEdge['kind'],
    id: string,
    from: string,
    to: string,
    label?: string,
    attrs: Record<string, string | number | boolean | undefined> = {},
  ) {
    // The same link may come twice (a gateway that bridges and routes onto one network).
    if (this.edgeIds.has(id)) return;
    this.edgeIds.add(id);
    this.edges.push({ id, kind, from, to, ...(label ? { label } : {}), attrs: known(attrs) });
  }

  /** A node's link onto a network, labelled with its address there. */
  link(from: string, network: string, label?: string): void {
    this.edge('link', `link:${from}:${network}`, from, nodeId('network', network), label);
  }

  network(name: string, subnet?: string, vlan?: number): void {
    this.node('network', name, [name, subnet, vlan === undefined ? undefined : `VLAN ${vlan}`], { subnet, vlan });
  }

  member(name: string, mgmtIp?: string): void {
    this.link(this.node('member', name, [name, 'controller'], { mgmtIp }), MGMT, mgmtIp);
  }

  transportNode(t: { name: string; role: string; encap: string; mgmtIp?: string | undefined; underlayIp: string }): string {
    const id = this.node('transport-node', t.name, [t.name, t.role], {
      role: t.role,
      encap: t.encap,
      mgmtIp: t.mgmtIp,
      underlayIp: t.underlayIp,
    });
    this.link(id, MGMT, t.mgmtIp);
    this.link(id, UNDERLAY, t.underlayIp);
    return id;
  }

  host(name: string, network: string, ip: string, vlan?: number): void {
    const id = this.node('host', name, [name, ip], { ip, vlan });
    this.link(id, network, vlan === undefined ? ip : `${ip} VLAN ${vlan}`);
  }

  tunnel(a: string, b: string, encap: string, attrs: Attrs = {}): void {
    const [from, to] = [nodeId('transport-node', a), nodeId('transport-node', b)];
    this.edge('tunnel', `tunnel:${a}:${b}:${encap}`, from, to, encap, { encap, ...attrs });
  }

  switch(s: { name: string; vni: number; subnet?: string | undefined; replication: string; encap: string }): void {
    const attrs = { vni: s.vni, subnet: s.subnet, replication: s.replication, encap: s.encap };
    this.node('switch', s.name, [s.name, `VNI ${s.vni}`, s.subnet], attrs);
  }

  /** A port on its switch, and (when bound) its placement on its transport node. */
  port(p: { name: string; switch: string; ip?: string | undefined; mac: string; node?: string | undefined }): void {
    const id = this.node('port', p.name, [p.name, p.ip], { ip: p.ip, mac: p.mac, node: p.node });
    this.edge('port', `port:${p.name}`, id, nodeId('switch', p.switch));
    if (p.node) this.placement(id, p.node);
  }

  /** A switch bridged onto a physical network by its L2 gateway (placed on that gateway). */
  bridge(name: string, g: { node: string; network: string; vlan?: number | undefined }): void {
    const label = g.vlan === undefined ? g.node : `${g.node}, VLAN ${g.vlan}`;
    const id = nodeId('switch', name);
    this.edge('bridge', `bridge:${name}`, id, nodeId('network', g.network), label, { node: g.node });
    this.placement(id, g.node);
  }

  /** A router, its interfaces (address with prefix) and its uplink, placed on its gateways in
   *  priority order (the first is the active one as configured). */
  router(r: {
    name: string;
    /** Routed on the hypervisors too (east-west); absent: as a router that is not. */
    distributed?: boolean;
    interfaces: { switch: string; ip: string }[];
    uplink?: { network: string; ip: string; snat: boolean; gateways: string[] } | undefined;
  }): void {
    const up = r.uplink;
    const address = (cidr: string) => cidr.split('/')[0]!;
    const lines = [r.name, up ? `uplink ${address(up.ip)}${up.snat ? ', SNAT' : ''}` : undefined];
    const id = this.node('router', r.name, lines, {
      gateways: (up?.gateways ?? []).join(','),
      ...(r.distributed ? { distributed: true } : {}),
    });
    for (const i of r.interfaces) {
      this.edge('interface', `interface:${r.name}:${i.switch}`, id, nodeId('switch', i.switch), address(i.ip), { ip: i.ip });
    }
    if (up) {
      this.edge('uplink', `uplink:${r.name}`, id, nodeId('network', up.network), address(up.ip), { ip: up.ip, snat: up.snat });
      up.gateways.forEach((g, k) => this.placement(id, g, { active: k === 0 }));
    }
  }

  /** Logical to physical: the transport node that hosts a port, runs a router, or bridges a switch. */
  placement(from: string, node: string, attrs: Attrs = {}): void {
    this.edge('placement', `placement:${from}:${node}`, from, nodeId('transport-node', node), undefined, attrs);
  }
}

/** One view of a graph's parts: the other world's nodes, and edges to what is not drawn, left
 *  out (placements only in `both`). */
export function viewOf(parts: GraphParts, view: 'physical' | 'logical' | 'both'): GraphParts {
  const nodes = parts.nodes.filter((n) => view === 'both' || n.world === view);
  const ids = new Set(nodes.map((n) => n.id));
  const edges = parts.edges.filter((e) => (view === 'both' || e.kind !== 'placement') && ids.has(e.from) && ids.has(e.to));
  return { nodes, edges };
}
