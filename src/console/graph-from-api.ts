// PRIVATE ADAPTER, to be replaced by src/graph's graphFromResources(...) + withLiveState(...)
// once they are on main: the lab's graph (src/graph/model.ts) built from what the console read of
// the northbound API (readings.ts), with its live state. Physical world: the members (live or
// not), the management and underlay networks, the transport nodes (state as their member reads
// them), the physical networks gateways attach to, and the tunnels as the nodes report them (one
// edge per pair and encap, down when either end is). Logical world: switches, ports (plugged or
// not), routers with their interfaces and uplink. Both: each port on its node, each router on its
// gateways (the active one up, the others standing by), each bridged switch on its L2 gateway.
// The API knows no hosts and no subnets of the lab's own networks, so neither is drawn.
import { nodeId, type GraphEdge, type GraphNode, type GraphView, type LabGraph } from '../graph/index.ts';
import { activeGateway, memberState, nodeHealth, portState, tunnelLinks, tunnelState, type Judged, type LabReadings } from './readings.ts';

const MGMT = 'management';
const UNDERLAY = 'underlay';

interface World {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const withState = <T extends GraphNode | GraphEdge>(item: T, judged: Judged | undefined): T =>
  judged ? { ...item, state: judged.state, attrs: { ...item.attrs, status: judged.text } } : item;

function physicalWorld(r: LabReadings): World {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const network = (name: string) => {
    if (!nodes.some((n) => n.id === nodeId('network', name)))
      nodes.push({ id: nodeId('network', name), kind: 'network', name, world: 'physical', lines: [name], attrs: {} });
  };
  const link = (from: string, to: string, label?: string) =>
    edges.push({ id: `link:${from}:${to}`, kind: 'link', from, to: nodeId('network', to), ...(label ? { label } : {}), attrs: {} });
  network(MGMT);
  network(UNDERLAY);
  const status = r.status.value;
  const me = status?.member;
  for (const m of status?.members ?? []) {
    const id = nodeId('member', m.name);
    const attrs = {
      masterOf: (status?.masterships ?? []).filter((x) => x.member === m.name).length,
      ...(m.name === me && status?.store.role ? { raft: status.store.role } : {}),
    };
    nodes.push(
      withState({ id, kind: 'member', name: m.name, world: 'physical', lines: [m.name, 'controller'], attrs }, memberState(status, m.name)),
    );
    link(id, MGMT);
  }
  const tns = r.nodes.value ?? [];
  const health = new Map(tns.map((t) => [t.name, nodeHealth(r.nodeStatus.get(t.name))]));
  for (const t of tns) {
    const id = nodeId('transport-node', t.name);
    const s = r.nodeStatus.get(t.name)?.value;
    const attrs = {
      role: t.role,
      encap: t.encap,
      underlayIp: t.underlayIp,
      ...(t.mgmtIp ? { mgmtIp: t.mgmtIp } : {}),
      ...(s?.master ? { master: s.master.member } : {}),
      ...(s?.flows === undefined ? {} : { flows: s.flows }),
    };
    nodes.push(
      withState({ id, kind: 'transport-node', name: t.name, world: 'physical', lines: [t.name, t.role], attrs }, health.get(t.name)),
    );
    if (t.mgmtIp) link(id, MGMT, t.mgmtIp);
    link(id, UNDERLAY, t.underlayIp);
  }
  // Gateways on the physical networks of the switches they bridge and the routers' uplinks.
  for (const s of r.switches.value ?? []) {
    if (!s.l2Gateway) continue;
    network(s.l2Gateway.network);
    link(nodeId('transport-node', s.l2Gateway.node), s.l2Gateway.network, s.l2Gateway.nic);
  }
  for (const router of r.routers.value ?? []) {
    if (!router.uplink) continue;
    network(router.uplink.network);
    for (const g of router.uplink.gateways) link(nodeId('transport-node', g.node), router.uplink.network, g.nic);
  }
  const unknown: Judged = { state: 'unknown', text: 'not a known transport node' };
  for (const t of tunnelLinks(
    tns.map((n) => n.name),
    r.nodeStatus,
  )) {
    const [from, to] = [nodeId('transport-node', t.a), nodeId('transport-node', t.b)];
    const judged = tunnelState(
      t.ends.map((e) => e.tunnel),
      health.get(t.a) ?? unknown,
      health.get(t.b) ?? unknown,
      [t.a, t.b],
    );
    const edge: GraphEdge = { id: `tunnel:${t.a}:${t.b}:${t.encap}`, kind: 'tunnel', from, to, label: t.encap, attrs: { encap: t.encap } };
    edges.push(withState(edge, judged));
  }
  return { nodes, edges };
}

function logicalWorld(r: LabReadings): World {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const ports = r.ports.value ?? [];
  for (const s of r.switches.value ?? []) {
    const id = nodeId('switch', s.name);
    const attrs = { vni: s.vni, replication: s.replication, encap: s.encap, ...(s.subnet ? { subnet: s.subnet } : {}) };
    nodes.push({
      id,
      kind: 'switch',
      name: s.name,
      world: 'logical',
      lines: [s.name, `VNI ${s.vni}`, ...(s.subnet ? [s.subnet] : [])],
      attrs,
    });
    for (const p of ports.filter((x) => x.switch === s.name)) {
      const port = nodeId('port', p.name);
      const attrs = { mac: p.mac, ...(p.ip ? { ip: p.ip } : {}), ...(p.node ? { node: p.node } : {}) };
      const node: GraphNode = { id: port, kind: 'port', name: p.name, world: 'logical', lines: [p.name, ...(p.ip ? [p.ip] : [])], attrs };
      nodes.push(withState(node, portState(r.portStats.get(p.name), p)));
      edges.push({ id: `port:${p.name}`, kind: 'port', from: port, to: id, attrs: {} });
    }
    if (s.l2Gateway) {
      const g = s.l2Gateway;
      const label = g.vlan === undefined ? g.node : `${g.node}, VLAN ${g.vlan}`;
      edges.push({ id: `bridge:${s.name}`, kind: 'bridge', from: id, to: nodeId('network', g.network), label, attrs: { node: g.node } });
    }
  }
  for (const router of r.routers.value ?? []) {
    const id = nodeId('router', router.name);
    const u = router.uplink;
    const lines = [router.name, ...(u ? [`uplink ${u.ip.split('/')[0]}${u.snat ? ', SNAT' : ''}`] : [])];
    const gateways = (u?.gateways ?? []).map((g) => g.node).join(',');
    nodes.push({ id, kind: 'router', name: router.name, world: 'logical', lines, attrs: { gateways } });
    for (const i of router.interfaces) {
      const ip = i.ip.split('/')[0]!;
      edges.push({
        id: `interface:${router.name}:${i.switch}`,
        kind: 'interface',
        from: id,
        to: nodeId('switch', i.switch),
        label: ip,
        attrs: { ip: i.ip },
      });
    }
    if (u) {
      const attrs = { ip: u.ip, snat: u.snat };
      edges.push({
        id: `uplink:${router.name}`,
        kind: 'uplink',
        from: id,
        to: nodeId('network', u.network),
        label: u.ip.split('/')[0]!,
        attrs,
      });
    }
  }
  return { nodes, edges };
}

/** Where the logical world lives in the physical one, with which gateway is active. */
function placements(r: LabReadings): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const place = (from: string, node: string, attrs: GraphEdge['attrs'] = {}, judged?: Judged) =>
    edges.push(withState({ id: `placement:${from}:${node}`, kind: 'placement', from, to: nodeId('transport-node', node), attrs }, judged));
  for (const p of r.ports.value ?? []) if (p.node) place(nodeId('port', p.name), p.node);
  for (const s of r.switches.value ?? []) if (s.l2Gateway) place(nodeId('switch', s.name), s.l2Gateway.node);
  const health = (node: string) => nodeHealth(r.nodeStatus.get(node));
  for (const router of r.routers.value ?? []) {
    const active = activeGateway(router, health);
    for (const g of router.uplink?.gateways ?? []) {
      const judged: Judged =
        g.node === active
          ? { state: 'up', text: 'active' }
          : health(g.node).state === 'up'
            ? { state: 'degraded', text: 'standby' }
            : { state: 'down', text: health(g.node).text };
      place(nodeId('router', router.name), g.node, { active: g.node === active }, judged);
    }
  }
  return edges;
}

/** The lab's graph from the API's answers, in one view or both (with the mapping between them). */
export function graphFromApi(r: LabReadings, view: GraphView = 'both', lab = 'lab'): LabGraph {
  const physical = view === 'logical' ? { nodes: [], edges: [] } : physicalWorld(r);
  const logical = view === 'physical' ? { nodes: [], edges: [] } : logicalWorld(r);
  const nodes = [...physical.nodes, ...logical.nodes];
  const ids = new Set(nodes.map((n) => n.id));
  // An edge only where both its ends are drawn (a logical edge to a physical network, a tunnel to
  // a node the API does not list).
  const edges = [...physical.edges, ...logical.edges, ...(view === 'both' ? placements(r) : [])].filter(
    (e) => ids.has(e.from) && ids.has(e.to),
  );
  return { lab, view, readAt: new Date(Math.max(r.status.at, r.nodes.at, 0)).toISOString(), nodes, edges };
}
