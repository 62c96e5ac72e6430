// Where logical routers live and the numbers their flows use: a router's gateways in priority
// order, the slot of each of its interfaces among the routers of that switch (part of the group
// ids), its index among all routers, and which node pairs watch each other with BFD.
import {
  type Encap,
  type LogicalState,
  type StateRouter,
  type StateSwitch,
  MAX_ROUTERS_PER_SWITCH,
  routerPortId,
  routerUplinkId,
} from '../../model/index.ts';
import { perObject } from '../../util/memo.ts';
import { nodeIndex } from './node-index.ts';

/** One router interface as the pipeline realises it. */
export interface RouterInterfacePlace {
  router: StateRouter;
  sw: StateSwitch;
  mac: string;
  /** Index among the routers of this switch that are realised, by name (0..15). */
  slot: number;
  /** The router's gateways, known transport nodes only, in priority order. */
  gateways: string[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The uplink's gateways that are known transport nodes, in priority order. */
export function routerGateways(logical: LogicalState, router: StateRouter): { node: string; nic: string }[] {
  const known = new Set(logical.nodes.map((n) => n.name));
  return (router.uplink?.gateways ?? []).filter((g) => known.has(g.node));
}

/** A distributed router's interface on a switch of the lab: its MAC (lower case) and address. */
export interface RouterIface {
  sw: StateSwitch;
  mac: string;
  /** `10.0.1.1/24`. */
  ip: string;
}

export interface DistributedRouter {
  router: StateRouter;
  ifaces: RouterIface[];
  /** Whether it has gateways (known nodes) to send what it cannot reach itself to. */
  gateways: boolean;
}

const distributedCache = new WeakMap<LogicalState, DistributedRouter[]>();

/** Routers routed on every node carrying one of their switches, by name; once per state. */
export function distributedRouters(logical: LogicalState): DistributedRouter[] {
  let known = distributedCache.get(logical);
  if (known) return known;
  const switches = new Map(logical.switches.map((s) => [s.name, s]));
  known = [...(logical.routers ?? [])]
    .filter((r) => r.distributed)
    .sort(byName)
    .map((router) => ({
      router,
      ifaces: router.interfaces.flatMap((i) => {
        const sw = switches.get(i.switch);
        return sw ? [{ sw, mac: i.mac.toLowerCase(), ip: i.ip }] : [];
      }),
      gateways: routerGateways(logical, router).length > 0,
    }))
    .filter((r) => r.ifaces.length > 0);
  distributedCache.set(logical, known);
  return known;
}

/** Routers that run somewhere (at least one gateway), by name. */
export function realisedRouters(logical: LogicalState): StateRouter[] {
  return [...(logical.routers ?? [])].filter((r) => routerGateways(logical, r).length > 0).sort(byName);
}

/**
 * Every realised router interface, by VNI then slot. A switch takes at most
 * MAX_ROUTERS_PER_SWITCH routers (the store refuses more); past that, interfaces are left out in
 * name order, so every member leaves out the same ones.
 */
export const routerInterfaces = perObject((logical: LogicalState): RouterInterfacePlace[] => {
  const switches = new Map(logical.switches.map((s) => [s.name, s]));
  const perSwitch = new Map<string, RouterInterfacePlace[]>();
  for (const router of realisedRouters(logical)) {
    const gateways = routerGateways(logical, router).map((g) => g.node);
    for (const i of router.interfaces) {
      const sw = switches.get(i.switch);
      if (!sw) continue;
      let list = perSwitch.get(sw.name);
      if (!list) perSwitch.set(sw.name, (list = []));
      if (list.some((p) => p.router.name === router.name)) continue; // one interface per switch
      if (list.length < MAX_ROUTERS_PER_SWITCH) list.push({ router, sw, mac: i.mac.toLowerCase(), slot: list.length, gateways });
    }
  }
  return [...perSwitch.values()].flat().sort((a, b) => a.sw.vni - b.sw.vni || a.slot - b.slot);
});

/** Each router's index among all routers, by name: the low bits of its uplink gate groups. */
export function routerIndex(logical: LogicalState): Map<string, number> {
  return new Map([...(logical.routers ?? [])].sort(byName).map((r, i) => [r.name, i]));
}

/**
 * The encap of the tunnels a router's gateways watch each other on: that of the switch of its
 * first interface, else its first gateway's own. Gateways of one router carry that switch, so
 * the tunnel exists anyway in the common case; otherwise tunnels.ts adds it.
 */
export function gateEncap(logical: LogicalState, router: StateRouter): Encap {
  for (const i of router.interfaces) {
    const sw = logical.switches.find((s) => s.name === i.switch);
    if (sw) return sw.encap;
  }
  const first = routerGateways(logical, router)[0];
  return logical.nodes.find((n) => n.name === first?.node)?.encap ?? 'geneve';
}

/**
 * Node pairs whose tunnels run BFD because of routers: each gateway of a router with every other
 * node carrying one of its switches, and its gateways with each other. Both ends compute the same
 * set. Keys: the two names sorted, joined by NUL.
 */
export function routerBfdPairs(logical: LogicalState, hosts: ReadonlyMap<string, readonly string[]>): Set<string> {
  const pairs = new Set<string>();
  const pair = (a: string, b: string) => {
    if (a !== b) pairs.add(a < b ? `${a}\0${b}` : `${b}\0${a}`);
  };
  for (const router of realisedRouters(logical)) {
    const gateways = routerGateways(logical, router).map((g) => g.node);
    for (const g of gateways) for (const h of gateways) pair(g, h);
  }
  for (const place of routerInterfaces(logical)) {
    for (const h of hosts.get(place.sw.name) ?? []) for (const g of place.gateways) pair(h, g);
  }
  return pairs;
}

/** The br-int ports a node must report before it is fully programmed: bound VMs and router ports
 *  by iface-id, and other interfaces (gateway NICs) by name. */
export function expectedPorts(logical: LogicalState, node: string): { vmPorts: string[]; physicalPorts: string[] } {
  const vmPorts = (nodeIndex(logical).portsOn.get(node) ?? []).map((p) => p.name);
  const physicalPorts = logical.switches.filter((s) => s.l2Gateway?.node === node).map((s) => s.l2Gateway!.nic);
  for (const place of routerInterfaces(logical)) {
    if (place.gateways.includes(node)) vmPorts.push(routerPortId(place.router.name, place.sw.name));
  }
  for (const router of realisedRouters(logical)) {
    const mine = routerGateways(logical, router).find((g) => g.node === node);
    if (!mine) continue;
    vmPorts.push(routerUplinkId(router.name));
    physicalPorts.push(mine.nic);
  }
  return { vmPorts: [...new Set(vmPorts)].sort(), physicalPorts: [...new Set(physicalPorts)].sort() };
}
