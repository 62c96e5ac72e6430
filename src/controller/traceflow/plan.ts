// What an injected trace sends, and where: a trace request read against the store's resources.
// The packet leaves from a VM's port (as if the VM sent it) or, from a physical host, from the
// gateway's NIC on the host's network (as if it came in from that network, with its VLAN tag).
// Its Ethernet destination is what the sender would use: the destination's MAC on the same
// switch, the router's on the way to another subnet, or the frame kind asked for. Pure.
import type { LogicalPort, LogicalRouter, LogicalSwitch, TraceRequest } from '../../model/index.ts';
import { isIp, TRACE_BROADCAST_MAC, TRACE_MULTICAST, TRACE_UNKNOWN_MAC } from '../../model/index.ts';
import { InvalidError, NotFoundError } from '../store/index.ts';
import type { FrameSpec, Payload } from './packet.ts';
import type { Endpoint } from './passes.ts';

export interface PlanResources {
  ports: readonly LogicalPort[];
  switches: readonly LogicalSwitch[];
  routers: readonly LogicalRouter[];
}

export interface TracePlan {
  /** The node the packet enters at (none: the source port is bound to no node), the path's start
   *  there, and the br-int port it is sent in on (a VM's iface-id, or a NIC's name). */
  source: { node?: string; entry: Endpoint; via: { vmPort: string } | { nic: string } };
  /** What reaching counts as delivered: the port or host the trace is for, else the address. */
  target: string;
  /** The host the trace is for, when it is one. */
  host?: { name: string; network: string };
  frame: FrameSpec;
  /** An IPv4 packet a router routes on to its destination (none: the router port is as far as
   *  it goes): the address and MAC the router sends to (its next hop, on a connected subnet), and
   *  the address it translates the source to when the destination is behind its uplink. */
  routed?: { ip: string; mac: string; snat?: string };
  /** A destination on a switch nothing joins to the source's: why (the path ends in isolation). */
  isolated?: string;
}

const BROADCAST = TRACE_BROADCAST_MAC;
const MULTICAST = TRACE_MULTICAST;
const UNKNOWN_MAC = TRACE_UNKNOWN_MAC;

interface Source {
  node?: string;
  entry: Endpoint;
  via: TracePlan['source']['via'];
  mac: string;
  ip?: string;
  /** The switch it sends on (none: a host on a router's uplink network). */
  switch?: LogicalSwitch;
  /** The router whose uplink network the host is on. */
  uplink?: LogicalRouter;
}

function sourceOf(request: TraceRequest, r: PlanResources): Source {
  const port = r.ports.find((p) => p.name === request.from);
  if (port) {
    return {
      ...(port.node ? { node: port.node } : {}),
      entry: { kind: 'port', port: port.name },
      via: { vmPort: port.name },
      mac: port.mac,
      ...(port.ip ? { ip: port.ip } : {}),
      ...optionalSwitch(r.switches.find((s) => s.name === port.switch)),
    };
  }
  const host = request.hosts?.[request.from];
  if (!host) throw new NotFoundError('logical port or host', request.from);
  if (!host.mac)
    throw new InvalidError(`host ${request.from}: a trace from a host needs its MAC`, [
      { path: ['hosts', request.from, 'mac'], message: "the host's MAC" },
    ]);
  const bridged = r.switches.find((s) => s.l2Gateway?.network === host.network);
  if (bridged?.l2Gateway) {
    const gw = bridged.l2Gateway;
    const entry: Endpoint = { kind: 'nic', nic: gw.nic, network: gw.network, ...(gw.vlan === undefined ? {} : { vlan: gw.vlan }) };
    return { node: gw.node, entry, via: { nic: gw.nic }, mac: host.mac, ip: host.ip, switch: bridged };
  }
  const router = r.routers.find((x) => x.uplink?.network === host.network);
  const first = router?.uplink?.gateways[0];
  if (!router || !first) {
    throw new InvalidError(`host ${request.from}: no gateway joins its network ${host.network} to the overlay`, [
      { path: ['from'], message: 'a port, or a host on a network an L2 gateway bridges or a router uplink is on' },
    ]);
  }
  return {
    node: first.node,
    entry: { kind: 'nic', nic: first.nic, network: host.network },
    via: { nic: first.nic },
    mac: host.mac,
    ip: host.ip,
    uplink: router,
  };
}

const optionalSwitch = (s: LogicalSwitch | undefined) => (s ? { switch: s } : {});

/** The MAC the source sends to for another subnet: its router's, if any. */
function gatewayMac(src: Source, r: PlanResources): string | undefined {
  if (src.uplink) return src.uplink.uplink?.mac;
  const name = src.switch?.name;
  return r.routers.flatMap((x) => x.interfaces).find((i) => i.switch === name)?.mac;
}

/** Whether the source sends through router `x`: an interface on its switch, or its uplink. */
const sends = (x: LogicalRouter, src: Source) =>
  src.uplink ? src.uplink.name === x.name : x.interfaces.some((i) => i.switch === src.switch?.name);

const sourceSegment = (src: Source) =>
  src.uplink ? `router ${src.uplink.name}'s uplink` : src.switch ? `switch ${src.switch.name}` : "the source's network";

interface Destination {
  mac: string;
  ip?: string;
  /** Its own MAC, where the frame goes to a router's instead; with the router's SNAT address. */
  own?: { mac: string; snat?: string };
  /** Why nothing joins it to the source's segment. */
  isolated?: string;
  target: string;
  host?: { name: string; network: string };
}

function destinationOf(request: TraceRequest, src: Source, r: PlanResources): Destination {
  const viaRouter = gatewayMac(src, r) ?? UNKNOWN_MAC;
  const byIp = isIp(request.to) ? r.ports.find((p) => p.ip === request.to && p.switch === src.switch?.name) : undefined;
  const port = r.ports.find((p) => p.name === request.to) ?? byIp;
  if (port) {
    const local = port.switch === src.switch?.name && !src.uplink;
    if (local) return { mac: port.mac, ...(port.ip ? { ip: port.ip } : {}), target: port.name };
    // Another switch: through a router that joins the two, else nowhere (an unknown MAC, as the
    // source would flood it).
    const joined = r.routers.some((x) => x.interfaces.some((i) => i.switch === port.switch) && sends(x, src));
    const isolated = `${port.name} is on switch ${port.switch}, and no router or gateway joins it to ${sourceSegment(src)}`;
    return {
      mac: joined ? viaRouter : UNKNOWN_MAC,
      ...(port.ip ? { ip: port.ip } : {}),
      ...(joined ? { own: { mac: port.mac } } : { isolated }),
      target: port.name,
    };
  }
  const host = request.hosts?.[request.to];
  if (host) {
    const bridged = src.switch?.l2Gateway?.network === host.network;
    const sameNetwork = src.entry.kind === 'nic' && src.entry.network === host.network;
    const mac = bridged || sameNetwork ? (host.mac ?? BROADCAST) : viaRouter;
    const uplink = r.routers.find((x) => x.uplink?.network === host.network)?.uplink;
    const snat = uplink?.snat ? uplink.ip.split('/')[0] : undefined;
    const own = bridged || sameNetwork || !host.mac ? {} : { own: { mac: host.mac, ...(snat ? { snat } : {}) } };
    return { mac, ip: host.ip, ...own, target: request.to, host: { name: request.to, network: host.network } };
  }
  if (isIp(request.to)) {
    // One of a router's own addresses: the packet has arrived once the router takes it in.
    const router = r.routers.find((x) => [...x.interfaces, ...(x.uplink ? [x.uplink] : [])].some((i) => i.ip.split('/')[0] === request.to));
    return { mac: viaRouter, ip: request.to, target: router?.name ?? request.to };
  }
  throw new NotFoundError('logical port, host or IPv4 address', request.to);
}

function payloadOf(request: TraceRequest, src: Source, dst: Destination, groupIp: string | undefined): Payload {
  const from = src.ip ?? '0.0.0.0';
  const to = groupIp ?? dst.ip ?? '255.255.255.255';
  if (request.proto === 'arp') {
    if (!dst.ip)
      throw new InvalidError(`an ARP trace needs an address to ask for: ${request.to} has none`, [
        { path: ['to'], message: 'a port or host with an address, or an IPv4 address' },
      ]);
    return { kind: 'arp', spa: from, tpa: dst.ip };
  }
  if (request.proto === 'icmp') return { kind: 'icmp', src: from, dst: to };
  const [kind, port] = request.proto.split(':') as ['tcp' | 'udp', string];
  return { kind, src: from, dst: to, port: Number(port) };
}

/** Where and what to inject for `request`; NotFoundError for a name the store and the request's
 *  hosts do not know, InvalidError for a trace that cannot be sent. */
export function planTrace(request: TraceRequest, resources: PlanResources): TracePlan {
  const src = sourceOf(request, resources);
  const dst = destinationOf(request, src, resources);
  const frameMac: Record<string, string> = { broadcast: BROADCAST, multicast: MULTICAST.mac, unknown: UNKNOWN_MAC };
  const ethDst = request.frame ? frameMac[request.frame]! : request.proto === 'arp' ? BROADCAST : dst.mac;
  const payload = payloadOf(request, src, dst, request.frame === 'multicast' ? MULTICAST.ip : undefined);
  const vlan = src.entry.kind === 'nic' ? src.entry.vlan : undefined;
  // Only a unicast IPv4 packet to a router's MAC is routed on: the router answers an ARP itself.
  const routed =
    payload.kind !== 'arp' && !request.frame && dst.ip && dst.own && ethDst !== UNKNOWN_MAC
      ? { ip: dst.ip, mac: dst.own.mac, ...(dst.own.snat ? { snat: dst.own.snat } : {}) }
      : undefined;
  return {
    source: { ...(src.node ? { node: src.node } : {}), entry: src.entry, via: src.via },
    target: dst.target,
    ...(dst.host ? { host: dst.host } : {}),
    frame: { ethSrc: src.mac, ethDst, ...(vlan === undefined ? {} : { vlan }), payload },
    ...(routed ? { routed } : {}),
    ...(dst.isolated ? { isolated: dst.isolated } : {}),
  };
}
