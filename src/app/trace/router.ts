// A logical router's own step, predicted from the logical state as the router's namespace on its
// gateway would do it (its routes are its connected subnets): the longest prefix among its
// interfaces and uplink, TTL minus one (dropped when it runs out), source NAT to the uplink
// address for what leaves by the uplink of a router with `snat`, and a frame rewritten from the
// egress port's MAC to the next hop's.
import type { Endpoint, NodePass } from '../../controller/traceflow/index.ts';
import { contains, parseCidr, parseIp, routerPortIfname, routerUplinkIfname, type LogicalRouter } from '../../model/index.ts';
import type { LabView } from './lab-view.ts';
import { isGroupMac, type Ingress, type Packet } from './packet.ts';
import { routerAddresses } from './resolve.ts';

/** A router's port as the passes name it: its interface on a switch, or its uplink. */
export function routerPortEndpoint(router: string, sw?: string): Extract<Endpoint, { kind: 'router-port' }> {
  return sw === undefined ? { kind: 'router-port', router, uplink: true } : { kind: 'router-port', router, switch: sw };
}

/** The interface of a router's port on a gateway's br-int. */
export function routerPortInterface(port: Extract<Endpoint, { kind: 'router-port' }>): string {
  return port.switch === undefined ? routerUplinkIfname(port.router) : routerPortIfname(port.router, port.switch);
}

export interface RouteOutcome {
  /** The router's pass: from the port it took the packet in on to the one it leaves by, or a drop. */
  pass: NodePass;
  /** Where the routed packet enters the gateway's br-int again. */
  next?: { entry: Endpoint; ingress: Ingress; packet: Packet };
}

interface Egress {
  port: Extract<Endpoint, { kind: 'router-port' }>;
  mac: string;
  prefix: number;
}

/** The router's port whose subnet holds `ip`, by the longest prefix. */
function egressOf(router: LogicalRouter, ip: string): Egress | undefined {
  const value = parseIp(ip);
  if (value === undefined) return undefined;
  const candidates: Egress[] = [];
  const consider = (cidr: string, port: Egress['port'], mac: string) => {
    const subnet = parseCidr(cidr, false);
    if (subnet && contains(subnet, value)) candidates.push({ port, mac, prefix: subnet.prefixLength });
  };
  for (const i of router.interfaces) consider(i.ip, routerPortEndpoint(router.name, i.switch), i.mac);
  if (router.uplink) consider(router.uplink.ip, routerPortEndpoint(router.name), router.uplink.mac);
  return candidates.sort((a, b) => b.prefix - a.prefix)[0];
}

/** The MAC the router sends to on its egress port: the port or host holding the address. */
function nextHopMac(view: LabView, router: LogicalRouter, egress: Egress, ip: string): string | undefined {
  const sw = egress.port.switch;
  if (sw !== undefined) return view.ports.find((p) => p.switch === sw && p.ip === ip)?.mac;
  return view.hosts.find((h) => h.network === router.uplink?.network && h.vlan === undefined && h.ip === ip)?.mac;
}

/** The MAC of the router's port a packet came in on. */
function portMac(router: LogicalRouter, port: Extract<Endpoint, { kind: 'router-port' }>): string | undefined {
  return port.switch === undefined ? router.uplink?.mac : router.interfaces.find((i) => i.switch === port.switch)?.mac;
}

/**
 * What router `port.router` does with a packet its port on `node` received. Undefined where it
 * routes nothing: a broadcast or multicast, an ARP, a frame for another MAC, or a packet for one
 * of the router's own addresses (it has arrived).
 */
export function routeThrough(
  view: LabView,
  node: string,
  port: Extract<Endpoint, { kind: 'router-port' }>,
  packet: Packet,
): RouteOutcome | undefined {
  const router = view.routers.find((r) => r.name === port.router);
  if (!router || packet.proto === 'arp' || isGroupMac(packet.dlDst) || packet.dlDst !== portMac(router, port)) return undefined;
  if (routerAddresses(router).includes(packet.nwDst)) return undefined;
  const destination = packet.nwDst;
  const base = { node, entry: port, rules: [] };
  const drop = (reason: 'no-route' | 'ttl', detail: string): RouteOutcome => ({
    pass: { ...base, exits: [], route: { router: router.name, destination }, drop: { reason, detail } },
  });
  const egress = egressOf(router, destination);
  if (!egress) return drop('no-route', `router ${router.name} has no route towards ${destination}`);
  if (packet.ttl <= 1) return drop('ttl', `the TTL ran out at router ${router.name} (the packet came with TTL ${packet.ttl})`);
  const mac = nextHopMac(view, router, egress, destination);
  if (!mac) {
    const where = egress.port.switch === undefined ? `physical network ${router.uplink?.network}` : `switch ${egress.port.switch}`;
    return drop('no-route', `router ${router.name}: nothing on ${where} holds ${destination}`);
  }
  const snat = egress.port.uplink && router.uplink?.snat ? router.uplink.ip.split('/')[0] : undefined;
  const routed: Packet = { ...packet, dlSrc: egress.mac, dlDst: mac, ttl: packet.ttl - 1, ...(snat ? { nwSrc: snat } : {}) };
  return {
    pass: { ...base, exits: [egress.port], route: { router: router.name, destination, ttl: routed.ttl, ...(snat ? { snat } : {}) } },
    next: { entry: egress.port, ingress: { inPort: routerPortInterface(egress.port) }, packet: routed },
  };
}
