// A trace request made concrete: the packet the source would send (its destination MAC is the
// target's on the same segment, the router's interface where a router joins the two, broadcast
// for ARP or a BUM frame), where it enters br-int (the port's node, or a host's gateway), what
// counts as delivered, and what the logical state alone decides (isolation, an unbound port).
import type { Endpoint } from '../../controller/traceflow/index.ts';
import type { DropReason, TraceComponent, TraceRequest } from '../../model/index.ts';
import { portIfname } from '../../model/index.ts';
import { NvlabError } from '../../util/errors.ts';
import type { LabView } from './lab-view.ts';
import { BROADCAST_MAC, INITIAL_TTL, UNKNOWN_MAC, parseProto, withFrame, type Ingress, type Packet } from './packet.ts';
import { bridges, ipOf, onSubnet, resolveFrom, resolveTo, routersOn, segmentsOf, type Segment, type TraceEnd } from './resolve.ts';

/** Where a packet enters br-int: the node, the endpoint (as the passes name it) and the flow's ingress. */
export interface TraceStart {
  node: string;
  entry: Endpoint;
  ingress: Ingress;
}

/** A drop the logical state decides, whatever the switches do. */
export interface Verdict {
  reason: DropReason;
  node: string;
  component: TraceComponent;
  logical?: string;
  detail: string;
}

export interface TracePlan {
  from: TraceEnd;
  to: TraceEnd;
  packet: Packet;
  /** Where the packet may enter, in order (an uplink's gateways); empty when it cannot. */
  starts: TraceStart[];
  /** The port, host or router whose reaching is `delivered`. */
  target: string;
  verdict?: Verdict;
}

/** How the source reaches the target from a segment: the frame's destination MAC and the next
 *  hop an ARP asks for; `via` is the router in between. Undefined: isolated. */
interface NextHop {
  dlDst: string;
  arpFor: string;
  via?: string;
}

function nextHop(view: LabView, segment: Segment, to: TraceEnd): NextHop | undefined {
  const ip = ipOf(to) ?? '0.0.0.0';
  if (segment.kind === 'switch') {
    const sw = segment.sw;
    if (to.kind === 'port' && to.port.switch === sw.name) return { dlDst: to.port.mac, arpFor: ip };
    if (to.kind === 'host' && bridges(sw, to.host)) return { dlDst: to.host.mac ?? UNKNOWN_MAC, arpFor: ip };
    for (const router of routersOn(view, sw.name)) {
      const own = router.interfaces.find((i) => i.switch === sw.name)!;
      const hop = { dlDst: own.mac, arpFor: own.ip.split('/')[0]!, via: router.name };
      if (routerJoins(view, router, to)) return hop;
    }
    return undefined;
  }
  const router = segment.router;
  const uplink = router.uplink!;
  if (routerJoins(view, router, to)) return { dlDst: uplink.mac, arpFor: uplink.ip.split('/')[0]!, via: router.name };
  return undefined;
}

/** Whether a router takes a packet towards `to`: one of its own addresses, a port of a switch it
 *  joins, a host behind its uplink or bridged onto a switch it joins, or any other address (its
 *  routing decides). */
function routerJoins(view: LabView, router: LabView['routers'][number], to: TraceEnd): boolean {
  switch (to.kind) {
    case 'router':
      return to.router.name === router.name;
    case 'port':
      return router.interfaces.some((i) => i.switch === to.port.switch);
    case 'host': {
      const host = to.host;
      const bridged = router.interfaces.some((i) => {
        const sw = view.switches.find((s) => s.name === i.switch);
        return sw !== undefined && bridges(sw, host);
      });
      return bridged || (router.uplink?.network === host.network && host.vlan === undefined);
    }
    case 'address':
      return true;
  }
}

function startsOf(view: LabView, from: TraceEnd, segment: Segment | undefined): TraceStart[] {
  if (from.kind === 'port') {
    const node = from.port.node;
    return node ? [{ node, entry: { kind: 'port', port: from.name }, ingress: { inPort: portIfname(from.name) } }] : [];
  }
  if (from.kind !== 'host' || !segment) return [];
  const host = from.host;
  if (segment.kind === 'switch') {
    const gw = segment.sw.l2Gateway!;
    const vlan = gw.vlan === undefined ? {} : { vlan: gw.vlan };
    return [
      {
        node: gw.node,
        entry: { kind: 'nic', nic: gw.nic, network: gw.network, ...vlan, host: host.name },
        ingress: { inPort: gw.nic, ...vlan },
      },
    ];
  }
  const uplink = segment.router.uplink!;
  return uplink.gateways.map((g) => ({
    node: g.node,
    entry: { kind: 'nic', nic: g.nic, network: uplink.network, host: host.name },
    ingress: { inPort: g.nic },
  }));
}

function sourceAddresses(from: TraceEnd): { mac: string; ip: string } {
  if (from.kind === 'port') return { mac: from.port.mac, ip: from.port.ip ?? '0.0.0.0' };
  if (from.kind === 'host') return { mac: from.host.mac ?? UNKNOWN_MAC, ip: from.host.ip };
  throw new Error(`a trace starts at a port or a host, not ${from.name}`);
}

const segmentName = (s: Segment) => (s.kind === 'switch' ? `switch ${s.sw.name}` : `router ${s.router.name}'s uplink`);

function isolation(view: LabView, from: TraceEnd, to: TraceEnd, segment: Segment | undefined, node: string): Verdict {
  const where =
    to.kind === 'port'
      ? `${to.name} is on switch ${to.port.switch}`
      : to.kind === 'host'
        ? `${to.name} is on physical network ${to.host.network}${to.host.vlan === undefined ? '' : `, VLAN ${to.host.vlan}`}`
        : `nothing on ${segment ? segmentName(segment) : from.name} leads to ${to.name}`;
  const from_ = segment ? segmentName(segment) : `${from.name}'s network`;
  return {
    reason: 'isolation',
    node,
    component: 'logical-switch',
    ...(segment?.kind === 'switch' ? { logical: segment.sw.name } : {}),
    detail: `${where}, and no router or gateway joins it to ${from_}`,
  };
}

/** Makes a request concrete against the lab's view; throws (exit 2) for names it does not have. */
export function planTrace(view: LabView, request: TraceRequest): TracePlan {
  const from = resolveFrom(view, request.from);
  const segments = segmentsOf(view, from);
  const to = resolveTo(view, request.to, segments);
  if (to.kind === 'host' && from.kind === 'host' && to.host.network === from.host.network)
    throw new NvlabError(
      'SAME_NETWORK',
      `${from.name} and ${to.name} share physical network ${to.host.network}: their traffic never enters the overlay`,
      { exitCode: 2 },
    );
  if (
    to.kind === 'address' &&
    segments.some((s) => s.kind === 'switch' && onSubnet(view, s.sw, to.ip) && routersOn(view, s.sw.name).length === 0)
  )
    throw new NvlabError('NO_TARGET', `nothing in lab ${view.lab} holds ${to.ip}`, { exitCode: 2 });
  // A host may reach the overlay several ways: the one that leads to the target.
  const reach = segments.map((s) => ({ segment: s, hop: nextHop(view, s, to) }));
  const chosen = reach.find((r) => r.hop) ?? reach[0];
  const starts = startsOf(view, from, chosen?.segment);
  const { proto, tpDst } = parseProto(request.proto);
  const { mac, ip } = sourceAddresses(from);
  const hop = chosen?.hop;
  const isArp = proto === 'arp';
  const base: Packet = {
    dlSrc: mac,
    dlDst: isArp ? BROADCAST_MAC : (hop?.dlDst ?? targetMac(to)),
    proto,
    nwSrc: ip,
    nwDst: isArp ? (hop?.arpFor ?? ipOf(to) ?? '0.0.0.0') : (ipOf(to) ?? '0.0.0.0'),
    ttl: INITIAL_TTL,
    ...(tpDst === undefined ? {} : { tpDst }),
  };
  // An ARP request is for the next hop: through a router, the router answers it.
  const target = isArp && hop?.via ? hop.via : to.name;
  const node = starts[0]?.node ?? '';
  return { from, to, packet: withFrame(base, request.frame), starts, target, ...verdictOf(view, { from, to, chosen, node }) };
}

/** A port's or host's own MAC, where the packet is sent to it though nothing leads there. */
function targetMac(to: TraceEnd): string {
  if (to.kind === 'port') return to.port.mac;
  if (to.kind === 'host') return to.host.mac ?? UNKNOWN_MAC;
  return UNKNOWN_MAC;
}

/** A trace from or to a logical port that no transport node holds. */
const notBound = (port: string): Verdict => ({
  reason: 'port-not-bound',
  node: '',
  component: 'port',
  logical: port,
  detail: `port ${port} is not bound to a transport node`,
});

function verdictOf(
  view: LabView,
  c: { from: TraceEnd; to: TraceEnd; chosen: { segment: Segment; hop?: NextHop } | undefined; node: string },
): { verdict?: Verdict } {
  const { from, to, chosen, node } = c;
  if (from.kind === 'port' && !from.port.node) return { verdict: notBound(from.name) };
  if (from.kind === 'host' && !from.host.mac)
    return {
      verdict: {
        reason: 'unreachable',
        node: from.name,
        component: 'host',
        logical: from.name,
        detail: `host ${from.name} could not be asked`,
      },
    };
  if (!chosen?.hop) return { verdict: isolation(view, from, to, chosen?.segment, node) };
  if (to.kind === 'port' && !to.port.node) return { verdict: notBound(to.name) };
  return {};
}
