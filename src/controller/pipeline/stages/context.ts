// What the stages of the pipeline read about one node, derived once per computation from the
// logical state, the facts its switch reported and its PipelineMemo: the switches it carries,
// their ports on it, its tunnels. A stage returns its flows and groups; it pushes into nothing
// shared, so a new stage needs only this and its row in layout.ts.
import { act, type Action } from '../../../openflow/index.ts';
import { routerPortGateGroupId } from '../ids.ts';
import { OUT_PORT_REG, Table, type StageLayout } from '../layout.ts';
import type { PipelineMemo } from '../memo.ts';
import { nodeIndex } from '../node-index.ts';
import { routerInterfaces, type RouterInterfacePlace } from '../routers.ts';
import { switchHosts, tunnelLinks, type TunnelLink } from '../tunnels.ts';
import type { FlowModMsg, GroupModMsg, NodeFacts } from '../types.ts';
import { routerPortId, type Encap, type LogicalState, type StatePort, type StateSwitch } from '../../../model/index.ts';

/** What a stage adds to a node's pipeline, in the order it goes out. */
export interface StageOutput {
  flows: FlowModMsg[];
  groups: GroupModMsg[];
}

export interface Stage {
  /** Its row of layout.ts: the tables, priorities, cookie and group kinds it may write. */
  layout: StageLayout;
  build(node: NodeContext): StageOutput;
}

/** A port of a switch on this node: a VM, or a router interface on one of the router's gateways.
 *  `out` delivers to it (through its gate on a standby gateway; through its ingress ACL when it
 *  is a VM in a security group); `deliver` hands it over once the ACL allowed it. */
export interface LocalPort {
  name: string;
  mac: string;
  ofport: number;
  out: Action[];
  deliver: Action[];
  /** A VM: its logical port (groups, port security, QoS). */
  port?: StatePort;
  /** A router interface: where it is, and this gateway's rank in the router's order (0: first,
   *  never gated). */
  router?: { place: RouterInterfacePlace; rank: number };
}

/** An L2 gateway's NIC on this node for the switch it bridges: the VLAN it matches
 *  (OFPVID_PRESENT | VLAN, or OFPVID_NONE) and how a frame leaves on it. */
export interface GatewayNic {
  name: string;
  ofport: number;
  vid: number;
  tagged: boolean;
  out: Action[];
}

export interface NodeContext {
  logical: LogicalState;
  /** The node being computed. */
  name: string;
  facts: NodeFacts;
  /** The object the memo built for `recipe` last time, or a new one; the recipe names every
   *  input of what `build` makes (see PipelineMemo). */
  reuse<T>(recipe: string, build: () => T): T;
  /** Nodes carrying each switch (switchHosts). */
  hosts: ReadonlyMap<string, readonly string[]>;
  /** This node's tunnels with the switches each one carries. */
  links: readonly TunnelLink[];
  /** The switches this node carries, by VNI. */
  switches: readonly StateSwitch[];
  /** Every realised router interface (routerInterfaces). */
  routerPlaces: readonly RouterInterfacePlace[];
  /** A switch's bound ports, anywhere, by name. */
  portsOf(sw: StateSwitch): readonly StatePort[];
  /** A switch's router interfaces, by slot. */
  placesOf(sw: StateSwitch): readonly RouterInterfacePlace[];
  /** A switch's ports on this node that br-int has reported: VMs by name, then router interfaces. */
  localPorts(sw: StateSwitch): readonly LocalPort[];
  /** The switch's L2 gateway NIC when this node is its gateway and br-int has reported the NIC. */
  gatewayNic(sw: StateSwitch): GatewayNic | undefined;
  /** OpenFlow port of the tunnel towards `remote` with `encap`, once the switch reports it. */
  tunnelPort(remote: string, encap: Encap): number | undefined;
}

const boundPortsCache = new WeakMap<LogicalState, Map<string, StatePort[]>>();

/** Each switch's bound ports in name order; computed once per logical state for all nodes. */
function boundPorts(logical: LogicalState): Map<string, StatePort[]> {
  let bySwitch = boundPortsCache.get(logical);
  if (bySwitch) return bySwitch;
  bySwitch = new Map();
  for (const p of logical.ports) {
    if (p.node === undefined) continue;
    let list = bySwitch.get(p.switch);
    if (!list) bySwitch.set(p.switch, (list = []));
    list.push(p);
  }
  for (const list of bySwitch.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  boundPortsCache.set(logical, bySwitch);
  return bySwitch;
}

/** The context of `name`'s computation. Ports and tunnels missing from `facts` are left out. */
export function nodeContext(logical: LogicalState, name: string, facts: NodeFacts, memo?: PipelineMemo): NodeContext {
  const hosts = switchHosts(logical);
  const links = tunnelLinks(logical, name);
  const bound = boundPorts(logical);
  const routerPlaces = routerInterfaces(logical);
  const tunnelByRemote = new Map(links.map((l) => [`${l.tunnel.remoteNode}\0${l.tunnel.encap}`, l.tunnel.name]));
  const local = new Map<string, LocalPort[]>();
  const ctx: NodeContext = {
    logical,
    name,
    facts,
    reuse: memo ? (recipe, build) => memo.reuse(recipe, build) : (_recipe, build) => build(),
    hosts,
    links,
    switches: [...(nodeIndex(logical).switchesOf.get(name) ?? [])].sort((a, b) => a.vni - b.vni),
    routerPlaces,
    portsOf: (sw) => bound.get(sw.name) ?? [],
    placesOf: (sw) => routerPlaces.filter((p) => p.sw.name === sw.name),
    localPorts(sw) {
      let ports = local.get(sw.name);
      if (!ports) local.set(sw.name, (ports = computeLocalPorts(ctx, sw)));
      return ports;
    },
    gatewayNic: (sw) => gatewayNic(sw, name, facts),
    tunnelPort(remote, encap) {
      const tunnel = tunnelByRemote.get(`${remote}\0${encap}`);
      return tunnel === undefined ? undefined : facts.tunnelPorts.get(tunnel);
    },
  };
  return ctx;
}

/** VMs first (by name), then the router interfaces on this gateway (by slot). The first gateway
 *  delivers straight to an interface's port; a standby one through its gate group (router stage). */
function computeLocalPorts(ctx: NodeContext, sw: StateSwitch): LocalPort[] {
  const ports: LocalPort[] = [];
  for (const p of ctx.portsOf(sw)) {
    const ofport = p.node === ctx.name ? ctx.facts.vmPorts.get(p.name) : undefined;
    if (ofport === undefined) continue;
    const deliver = [act.output(ofport)];
    // Its ingress ACL decides (acl stage: table ACL_IN, the port in reg5).
    const out = p.securityGroups?.length
      ? [act.setField({ field: `reg${OUT_PORT_REG}` as 'reg5', value: ofport }), act.resubmit(Table.ACL_IN)]
      : deliver;
    ports.push({ name: p.name, mac: p.mac.toLowerCase(), ofport, out, deliver, port: p });
  }
  for (const place of ctx.placesOf(sw)) {
    const rank = place.gateways.indexOf(ctx.name);
    const name = routerPortId(place.router.name, sw.name);
    const ofport = ctx.facts.vmPorts.get(name);
    if (rank < 0 || ofport === undefined) continue;
    const out = rank === 0 ? [act.output(ofport)] : [act.group(routerPortGateGroupId(sw.vni, place.slot))];
    ports.push({ name, mac: place.mac, ofport, out, deliver: out, router: { place, rank } });
  }
  return ports;
}

function gatewayNic(sw: StateSwitch, node: string, facts: NodeFacts): GatewayNic | undefined {
  const gw = sw.l2Gateway;
  if (gw?.node !== node) return undefined;
  const ofport = facts.physicalPorts?.get(gw.nic);
  if (ofport === undefined) return undefined;
  const tagged = gw.vlan !== undefined;
  const vid = tagged ? 0x1000 | gw.vlan! : 0; // OFPVID_PRESENT | VLAN, or OFPVID_NONE
  const out = tagged ? [act.pushVlan(), act.setField({ field: 'vlan_vid', value: vid }), act.output(ofport)] : [act.output(ofport)];
  return { name: gw.nic, ofport, vid, tagged, out };
}
