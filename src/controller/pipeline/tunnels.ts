// Which tunnels a transport node needs: one per remote node it shares a logical switch with
// and encapsulation, plus the service-node tunnels of switches that replicate through service
// nodes, those between the gateways of a logical router, and those between nodes a distributed
// router joins.
import { createHash } from 'node:crypto';
import { distributedRouters, gateEncap, realisedRouters, routerBfdPairs, routerGateways, routerInterfaces } from './routers.ts';
import { perObject } from '../../util/memo.ts';
import { nodeIndex } from './node-index.ts';
import type { DesiredTunnel } from './types.ts';
import type { Encap, LogicalState, StateNode, StateSwitch } from '../../model/index.ts';

const IFNAMSIZ = 15;
const ENCAP_TAG: Record<Encap, string> = { geneve: 'gnv', vxlan: 'vxl', gre: 'gre' };

/**
 * Interface name of the tunnel towards `remoteNode` with `encap`: `tun-<node>-<gnv|vxl|gre>`.
 * The encap is always in the name, so a tunnel never changes name when a switch of another
 * encap appears: ovs-vswitchd cannot swap two tunnels of the same remote and encap in one
 * transaction (it adds the new one first and refuses it as a duplicate). Linux caps names at 15
 * characters, so a long node name is cut and a hash of the whole name keeps it distinct.
 */
export function tunnelName(remoteNode: string, encap: Encap): string {
  const prefix = 'tun-';
  const suffix = `-${ENCAP_TAG[encap]}`;
  const plain = `${prefix}${remoteNode}${suffix}`;
  if (plain.length <= IFNAMSIZ) return plain;
  const hash = createHash('sha256').update(remoteNode).digest('hex').slice(0, 6);
  const keep = IFNAMSIZ - prefix.length - suffix.length - hash.length;
  return `${prefix}${remoteNode.slice(0, keep)}${hash}${suffix}`;
}

/** Why a tunnel carries a switch: the remote hosts ports of it ('peer'), it is a service node
 *  this node floods through ('service'), this node is the service node serving it ('served'),
 *  or a distributed router joins it to a switch of the other end ('routed': routed frames go
 *  straight to the node of their destination, with its switch's VNI). */
export type CarryReason = 'peer' | 'service' | 'served' | 'routed';

export interface TunnelLink {
  tunnel: DesiredTunnel;
  /** Switches whose traffic may use this tunnel, by name, with why. Sorted by VNI. */
  carries: { sw: StateSwitch; reasons: CarryReason[] }[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Nodes (known transport nodes only) carrying each switch: hosting a bound port of it,
 *  bridging it as its L2 gateway, or being a gateway of a router with an interface on it.
 *  Sorted by name. */
export function switchHosts(logical: LogicalState): Map<string, string[]> {
  let hosts = hostsCache.get(logical);
  if (!hosts) hostsCache.set(logical, (hosts = computeSwitchHosts(logical)));
  return hosts;
}

// A logical state is never mutated: what is derived from it is computed once per state (a
// master programs several nodes from one state; see the programmer).
const hostsCache = new WeakMap<LogicalState, Map<string, string[]>>();
const linksCache = new WeakMap<LogicalState, Map<string, TunnelLink[]>>();
const bfdPairsOf = perObject((logical: LogicalState) => routerBfdPairs(logical, switchHosts(logical)));

function computeSwitchHosts(logical: LogicalState): Map<string, string[]> {
  const known = new Set(logical.nodes.map((n) => n.name));
  const hosts = new Map<string, Set<string>>();
  const add = (sw: string, node: string | undefined) => {
    if (node === undefined || !known.has(node)) return;
    let set = hosts.get(sw);
    if (!set) hosts.set(sw, (set = new Set()));
    set.add(node);
  };
  for (const p of logical.ports) add(p.switch, p.node);
  for (const s of logical.switches) add(s.name, s.l2Gateway?.node);
  for (const place of routerInterfaces(logical)) for (const g of place.gateways) add(place.sw.name, g);
  return new Map([...hosts].map(([sw, set]) => [sw, [...set].sort()]));
}

/** The tunnels of `nodeName` with the switches each one carries, in a stable order. */
export function tunnelLinks(logical: LogicalState, nodeName: string): TunnelLink[] {
  let perNode = linksCache.get(logical);
  if (!perNode) linksCache.set(logical, (perNode = new Map()));
  let links = perNode.get(nodeName);
  if (!links) perNode.set(nodeName, (links = computeTunnelLinks(logical, nodeName)));
  return links;
}

function computeTunnelLinks(logical: LogicalState, nodeName: string): TunnelLink[] {
  const index = nodeIndex(logical);
  const nodes = index.nodes;
  const self = nodes.get(nodeName);
  if (!self) return [];
  const hosts = switchHosts(logical);
  const serviceNodes = index.serviceNodes;
  const links = new Map<string, { remote: StateNode; encap: Encap; carries: Map<string, { sw: StateSwitch; reasons: CarryReason[] }> }>();
  const link = (remote: StateNode, sw: StateSwitch, reason: CarryReason) => {
    if (remote.name === nodeName) return;
    const key = `${remote.name}\0${sw.encap}`;
    let l = links.get(key);
    if (!l) links.set(key, (l = { remote, encap: sw.encap, carries: new Map() }));
    let c = l.carries.get(sw.name);
    if (!c) l.carries.set(sw.name, (c = { sw, reasons: [] }));
    if (!c.reasons.includes(reason)) c.reasons.push(reason);
  };
  // The switches this node carries, then (a service node) every switch it replicates for.
  for (const sw of index.switchesOf.get(nodeName) ?? []) {
    for (const r of hosts.get(sw.name) ?? []) link(nodes.get(r)!, sw, 'peer');
    if (sw.replication === 'service-node') for (const sn of serviceNodes) link(sn, sw, 'service');
  }
  if (self.role === 'service-node') {
    for (const sw of logical.switches) {
      if (sw.replication === 'service-node') for (const r of hosts.get(sw.name) ?? []) link(nodes.get(r)!, sw, 'served');
    }
  }
  // A distributed router's nodes reach each other: each end sends into the switches the other
  // hosts (and classifies those it hosts itself).
  for (const { ifaces } of distributedRouters(logical)) {
    const mine = ifaces.filter((i) => hosts.get(i.sw.name)?.includes(nodeName));
    if (mine.length === 0) continue;
    const others = new Set(ifaces.flatMap((i) => hosts.get(i.sw.name) ?? []));
    for (const r of others) {
      const theirs = ifaces.filter((i) => hosts.get(i.sw.name)?.includes(r));
      for (const i of [...mine, ...theirs]) link(nodes.get(r)!, i.sw, 'routed');
    }
  }
  // A router's gateways watch each other (the standby ones gate themselves on it), even when
  // they share no switch of that encap.
  for (const router of realisedRouters(logical)) {
    const gateways = routerGateways(logical, router).map((g) => g.node);
    if (!gateways.includes(nodeName)) continue;
    const encap = gateEncap(logical, router);
    for (const g of gateways) {
      if (g === nodeName || links.has(`${g}\0${encap}`)) continue;
      links.set(`${g}\0${encap}`, { remote: nodes.get(g)!, encap, carries: new Map() });
    }
  }
  const bfdPairs = bfdPairsOf(logical);
  const result = [...links.values()].map((l): TunnelLink => {
    const tunnel: DesiredTunnel = {
      name: tunnelName(l.remote.name, l.encap),
      remoteNode: l.remote.name,
      remoteIp: l.remote.underlayIp,
      encap: l.encap,
    };
    if (l.remote.underlayMac !== undefined) tunnel.remoteMac = l.remote.underlayMac;
    // Hypervisors watch service nodes and router gateways with BFD to fail over without a
    // controller, and a router's gateways watch each other; both ends must run it, or the side
    // that does would see the tunnel down.
    const pair = nodeName < l.remote.name ? `${nodeName}\0${l.remote.name}` : `${l.remote.name}\0${nodeName}`;
    if ((self.role === 'service-node') !== (l.remote.role === 'service-node') || bfdPairs.has(pair)) tunnel.bfd = true;
    const carries = [...l.carries.values()].sort((a, b) => a.sw.vni - b.sw.vni);
    return { tunnel, carries };
  });
  return result.sort(
    (a, b) =>
      byName({ name: a.tunnel.remoteNode }, { name: b.tunnel.remoteNode }) ||
      (a.tunnel.encap < b.tunnel.encap ? -1 : a.tunnel.encap > b.tunnel.encap ? 1 : 0),
  );
}

/**
 * The service nodes of a switch in the order its hypervisors prefer them: the sorted list rotated
 * by the VNI, so that switches spread over the service nodes (each one is first for about as many
 * switches) while every one backs up the others.
 */
export function serviceNodeOrder(logical: LogicalState, vni: number): string[] {
  const names = logical.nodes
    .filter((n) => n.role === 'service-node')
    .map((n) => n.name)
    .sort();
  if (names.length === 0) return [];
  const first = vni % names.length;
  return [...names.slice(first), ...names.slice(0, first)];
}

/** The tunnels `nodeName` needs, sorted by remote node then encap. */
export function desiredTunnels(logical: LogicalState, nodeName: string): DesiredTunnel[] {
  return tunnelLinks(logical, nodeName).map((l) => l.tunnel);
}
