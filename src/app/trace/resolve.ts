// What a trace request names, found in the lab: FROM a logical port or a physical host, TO a
// port, a host, a router or an address, and the segment the packet starts on (the port's switch;
// for a host, the switch an L2 gateway bridges onto its network, or the uplink of a router on it).
// Names that do not exist are bad input (exit 2), with a message that names them.
import { NvlabError } from '../../util/errors.ts';
import { contains, isIp, parseCidr, parseIp, type LogicalPort, type LogicalRouter, type LogicalSwitch } from '../../model/index.ts';
import type { LabView, LabHost } from './lab-view.ts';

export type TraceEnd =
  | { kind: 'port'; name: string; port: LogicalPort }
  | { kind: 'host'; name: string; host: LabHost }
  /** One of a router's own addresses. */
  | { kind: 'router'; name: string; router: LogicalRouter; ip: string }
  /** An address nothing in the lab holds. */
  | { kind: 'address'; name: string; ip: string };

/** Where a packet is sent from: a logical switch, or the physical network behind a router's uplink. */
export type Segment = { kind: 'switch'; sw: LogicalSwitch } | { kind: 'uplink'; router: LogicalRouter };

const addressOf = (cidr: string) => cidr.split('/')[0] ?? cidr;

/** Every address of a router: its interfaces' and its uplink's. */
export const routerAddresses = (r: LogicalRouter): string[] => [
  ...r.interfaces.map((i) => addressOf(i.ip)),
  ...(r.uplink ? [addressOf(r.uplink.ip)] : []),
];

/** Whether a host sits on the segment a switch's L2 gateway bridges (its network and VLAN). */
export function bridges(sw: LogicalSwitch, host: LabHost): boolean {
  return sw.l2Gateway?.network === host.network && sw.l2Gateway.vlan === host.vlan;
}

/** The routers with an interface on a switch. */
export const routersOn = (view: LabView, sw: string): LogicalRouter[] =>
  view.routers.filter((r) => r.interfaces.some((i) => i.switch === sw));

function switchOf(view: LabView, name: string): LogicalSwitch {
  const sw = view.switches.find((s) => s.name === name);
  if (!sw) throw new NvlabError('NO_SWITCH', `lab ${view.lab} has no switch ${name}`, { exitCode: 2 });
  return sw;
}

/** FROM: a logical port or a physical host. */
export function resolveFrom(view: LabView, from: string): TraceEnd {
  const port = view.ports.find((p) => p.name === from);
  if (port) return { kind: 'port', name: from, port };
  const host = view.hosts.find((h) => h.name === from);
  if (host) return { kind: 'host', name: from, host };
  throw new NvlabError('NO_SOURCE', `lab ${view.lab} has no port or host named ${from}`, { exitCode: 2 });
}

/** The segments a source may send on: a port's switch; a host's bridged switches and the uplinks
 *  on its network (an uplink takes untagged frames only). */
export function segmentsOf(view: LabView, from: TraceEnd): Segment[] {
  if (from.kind === 'port') return [{ kind: 'switch', sw: switchOf(view, from.port.switch) }];
  if (from.kind !== 'host') return [];
  const host = from.host;
  return [
    ...view.switches.filter((s) => bridges(s, host)).map((sw) => ({ kind: 'switch' as const, sw })),
    ...view.routers
      .filter((r) => r.uplink?.network === host.network && host.vlan === undefined)
      .map((router) => ({ kind: 'uplink' as const, router })),
  ];
}

/** What holds `ip` as seen from a segment: its own ports and bridged hosts, then its routers,
 *  the switches they join and the hosts behind their uplinks. */
function holderFrom(view: LabView, segment: Segment, ip: string): TraceEnd | undefined {
  const portOn = (sw: string) => view.ports.find((p) => p.switch === sw && p.ip === ip);
  const asPort = (port: LogicalPort | undefined): TraceEnd | undefined => (port ? { kind: 'port', name: port.name, port } : undefined);
  const asHost = (host: LabHost | undefined): TraceEnd | undefined => (host ? { kind: 'host', name: host.name, host } : undefined);
  let routers: LogicalRouter[];
  if (segment.kind === 'switch') {
    const local = asPort(portOn(segment.sw.name)) ?? asHost(view.hosts.find((h) => h.ip === ip && bridges(segment.sw, h)));
    if (local) return local;
    routers = routersOn(view, segment.sw.name);
  } else routers = [segment.router];
  for (const router of routers) {
    if (routerAddresses(router).includes(ip)) return { kind: 'router', name: router.name, router, ip };
    for (const i of router.interfaces) {
      const sw = view.switches.find((s) => s.name === i.switch);
      const found = asPort(portOn(i.switch)) ?? asHost(view.hosts.find((h) => h.ip === ip && sw !== undefined && bridges(sw, h)));
      if (found) return found;
    }
    const behind = view.hosts.find((h) => h.ip === ip && h.network === router.uplink?.network && h.vlan === undefined);
    if (behind) return asHost(behind);
  }
  return undefined;
}

/** TO: a port, a host, or an address (what holds it as seen from the source, else anything in
 *  the lab that holds it, else the bare address). */
export function resolveTo(view: LabView, to: string, segments: readonly Segment[]): TraceEnd {
  const port = view.ports.find((p) => p.name === to);
  if (port) return { kind: 'port', name: to, port };
  const host = view.hosts.find((h) => h.name === to);
  if (host) return { kind: 'host', name: to, host };
  const router = view.routers.find((r) => r.name === to);
  if (router)
    throw new NvlabError('ROUTER_TARGET', `${to} is a router: trace to one of its addresses (${routerAddresses(router).join(', ')})`, {
      exitCode: 2,
    });
  if (!isIp(to))
    throw new NvlabError('NO_TARGET', `lab ${view.lab} has no port or host named ${to}, and it is not an IPv4 address`, { exitCode: 2 });
  for (const segment of segments) {
    const found = holderFrom(view, segment, to);
    if (found) return found;
  }
  const anyPort = view.ports.find((p) => p.ip === to);
  if (anyPort) return { kind: 'port', name: anyPort.name, port: anyPort };
  const anyHost = view.hosts.find((h) => h.ip === to);
  if (anyHost) return { kind: 'host', name: anyHost.name, host: anyHost };
  return { kind: 'address', name: to, ip: to };
}

/** The address a target is reached at. */
export function ipOf(end: TraceEnd): string | undefined {
  switch (end.kind) {
    case 'port':
      return end.port.ip;
    case 'host':
      return end.host.ip;
    default:
      return end.ip;
  }
}

/** Whether an address is in one of a switch's subnet (its own or its router interface's). */
export function onSubnet(view: LabView, sw: LogicalSwitch, ip: string): boolean {
  const value = parseIp(ip);
  if (value === undefined) return false;
  const subnets = [
    sw.subnet,
    ...routersOn(view, sw.name).flatMap((r) => r.interfaces.filter((i) => i.switch === sw.name).map((i) => i.ip)),
  ];
  return subnets.some((s) => {
    const cidr = s ? parseCidr(s, false) : undefined;
    return cidr !== undefined && contains(cidr, value);
  });
}
