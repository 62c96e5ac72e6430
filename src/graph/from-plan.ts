// A lab's graph from its plan alone (nothing deployed): what the topology file describes, drawn
// as the two worlds of an overlay and the mapping between them.
import { modelFromPlan, neededTunnels } from '../scenario/lab-model.ts';
import type { LabPlan } from '../topology/plan-types.ts';
import { nodeId, type GraphEdge, type GraphNode, type GraphView, type LabGraph } from './model.ts';

const MGMT = 'management';
const UNDERLAY = 'underlay';

function physicalWorld(plan: LabPlan): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const link = (from: string, network: string, label?: string) =>
    edges.push({
      id: `link:${from}:${network}`,
      kind: 'link',
      from,
      to: nodeId('network', network),
      ...(label ? { label } : {}),
      attrs: {},
    });
  const network = (name: string, subnet: string, vlan?: number) =>
    nodes.push({
      id: nodeId('network', name),
      kind: 'network',
      name,
      world: 'physical',
      lines: [name, subnet, ...(vlan === undefined ? [] : [`VLAN ${vlan}`])],
      attrs: { subnet, ...(vlan === undefined ? {} : { vlan }) },
    });
  const { mgmt, underlay, physical } = plan.networks;
  network(MGMT, mgmt.subnet);
  network(UNDERLAY, underlay.subnet);
  for (const n of physical) network(n.network, n.subnet, n.vlan);
  if (plan.controllers.kind === 'builtin') {
    for (const m of plan.controllers.members) {
      const id = nodeId('member', m.name);
      nodes.push({ id, kind: 'member', name: m.name, world: 'physical', lines: [m.name, 'controller'], attrs: { mgmtIp: m.mgmtIp } });
      link(id, MGMT, m.mgmtIp);
    }
  }
  for (const t of plan.transportNodes) {
    const id = nodeId('transport-node', t.name);
    const attrs = { role: t.role, encap: t.encap, mgmtIp: t.mgmtIp, underlayIp: t.underlayIp };
    nodes.push({ id, kind: 'transport-node', name: t.name, world: 'physical', lines: [t.name, t.role], attrs });
    link(id, MGMT, t.mgmtIp);
    link(id, UNDERLAY, t.underlayIp);
    for (const a of t.attachments) link(id, a.network, a.ip);
  }
  for (const h of plan.hosts) {
    const id = nodeId('host', h.name);
    const vlan: Record<string, number> = h.vlan === undefined ? {} : { vlan: h.vlan };
    nodes.push({ id, kind: 'host', name: h.name, world: 'physical', lines: [h.name, h.ip], attrs: { ip: h.ip, ...vlan } });
    link(id, h.network, h.vlan === undefined ? h.ip : `${h.ip} VLAN ${h.vlan}`);
  }
  for (const [a, ends] of neededTunnels(modelFromPlan(plan))) {
    for (const end of ends.filter((e) => a < e.remote)) {
      const [from, to] = [nodeId('transport-node', a), nodeId('transport-node', end.remote)];
      edges.push({ id: `tunnel:${a}:${end.remote}:${end.encap}`, kind: 'tunnel', from, to, label: end.encap, attrs: { encap: end.encap } });
    }
  }
  return { nodes, edges };
}

function logicalWorld(plan: LabPlan): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const s of plan.switches) {
    const id = nodeId('switch', s.name);
    const attrs = { vni: s.vni, subnet: s.subnet, replication: s.replication, encap: s.encap };
    nodes.push({ id, kind: 'switch', name: s.name, world: 'logical', lines: [s.name, `VNI ${s.vni}`, s.subnet], attrs });
    for (const p of s.ports) {
      const port = nodeId('port', p.name);
      nodes.push({
        id: port,
        kind: 'port',
        name: p.name,
        world: 'logical',
        lines: [p.name, p.ip],
        attrs: { ip: p.ip, mac: p.mac, node: p.node },
      });
      edges.push({ id: `port:${p.name}`, kind: 'port', from: port, to: id, attrs: {} });
    }
    if (s.l2Gateway) {
      const g = s.l2Gateway;
      const label = g.vlan === undefined ? g.node : `${g.node}, VLAN ${g.vlan}`;
      edges.push({ id: `bridge:${s.name}`, kind: 'bridge', from: id, to: nodeId('network', g.network), label, attrs: { node: g.node } });
    }
  }
  for (const r of plan.routers) {
    const id = nodeId('router', r.name);
    const lines = [r.name, ...(r.uplink ? [`uplink ${r.uplink.ip}${r.uplink.snat ? ', SNAT' : ''}`] : [])];
    nodes.push({ id, kind: 'router', name: r.name, world: 'logical', lines, attrs: { gateways: (r.uplink?.gateways ?? []).join(',') } });
    for (const i of r.interfaces) {
      const attrs = { ip: `${i.ip}/${i.prefixLength}` };
      edges.push({
        id: `interface:${r.name}:${i.switch}`,
        kind: 'interface',
        from: id,
        to: nodeId('switch', i.switch),
        label: i.ip,
        attrs,
      });
    }
    if (r.uplink) {
      const u = r.uplink;
      const attrs = { ip: `${u.ip}/${u.prefixLength}`, snat: u.snat };
      edges.push({ id: `uplink:${r.name}`, kind: 'uplink', from: id, to: nodeId('network', u.network), label: u.ip, attrs });
    }
  }
  return { nodes, edges };
}

/** Where the logical world lives in the physical one: ports on their hypervisors, routers on
 *  their L3 gateways (active first), switches bridged by their L2 gateway. */
function placements(plan: LabPlan): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const place = (from: string, node: string, attrs: GraphEdge['attrs'] = {}) =>
    edges.push({ id: `placement:${from}:${node}`, kind: 'placement', from, to: nodeId('transport-node', node), attrs });
  for (const s of plan.switches) {
    for (const p of s.ports) place(nodeId('port', p.name), p.node);
    if (s.l2Gateway) place(nodeId('switch', s.name), s.l2Gateway.node);
  }
  for (const r of plan.routers) (r.uplink?.gateways ?? []).forEach((g, i) => place(nodeId('router', r.name), g, { active: i === 0 }));
  return edges;
}

/** The graph of a planned lab, in one view or both (with the mapping between them). */
export function graphFromPlan(plan: LabPlan, view: GraphView = 'both'): LabGraph {
  const physical = view === 'logical' ? { nodes: [], edges: [] } : physicalWorld(plan);
  const logical = view === 'physical' ? { nodes: [], edges: [] } : logicalWorld(plan);
  const ids = new Set([...physical.nodes, ...logical.nodes].map((n) => n.id));
  // A logical edge to a physical network only where that network is drawn.
  const edges = [...physical.edges, ...logical.edges, ...(view === 'both' ? placements(plan) : [])].filter(
    (e) => ids.has(e.from) && ids.has(e.to),
  );
  return { lab: plan.lab, view, nodes: [...physical.nodes, ...logical.nodes], edges };
}
