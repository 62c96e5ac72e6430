// What each OpenFlow port of a node's br-int is in the lab's words: a VM's logical port, a
// router's interface or uplink, a tunnel to a node (by its name), or a gateway's NIC on a
// physical network. An injected trace's counters speak of ports; its passes speak of these.
import { ENCAPS, type Encap, type LogicalRouter, type LogicalSwitch } from '../../model/index.ts';
import { Port } from '../../openflow/index.ts';
import type { NodeFacts } from '../pipeline/index.ts';
import { tunnelName } from '../pipeline/index.ts';
import type { Endpoint } from './passes.ts';

export type Place =
  | { kind: 'port'; port: string }
  | { kind: 'router-port'; router: string; switch?: string; uplink?: true }
  | { kind: 'tunnel'; remote: string; encap: Encap }
  | { kind: 'nic'; nic: string; network: string; vlan?: number };

/** What a node's ports are named after: nodes (tunnels), switches (an L2 gateway's NIC) and
 *  routers (an L3 gateway's uplink NIC). */
export interface PlaceResources {
  nodes: readonly { name: string }[];
  switches: readonly Pick<LogicalSwitch, 'name' | 'l2Gateway'>[];
  routers: readonly Pick<LogicalRouter, 'name' | 'uplink'>[];
}

/** A VM's iface-id, or a router port's (`lrp:<router>:<switch>`, `lru:<router>`). */
function logicalPlace(ifaceId: string): Place {
  const [prefix, router, sw] = ifaceId.split(':');
  if (prefix === 'lrp' && router && sw) return { kind: 'router-port', router, switch: sw };
  if (prefix === 'lru' && router) return { kind: 'router-port', router, uplink: true };
  return { kind: 'port', port: ifaceId };
}

/** OVSDB's `ofport` as OpenFlow 1.3 numbers it: the bridge's own port (65534) is LOCAL there. */
export const openflowPort = (ofport: number): number => (ofport >= 0xff00 ? (0xffff0000 + ofport) >>> 0 : ofport);

/** Every port of the node's br-int that the facts know, by OpenFlow port number. */
export function portPlaces(node: string, facts: NodeFacts, resources: PlaceResources): Map<number, Place> {
  const places = new Map<number, Place>();
  for (const [ifaceId, ofport] of facts.vmPorts) places.set(openflowPort(ofport), logicalPlace(ifaceId));
  const tunnels = new Map<string, Place>();
  for (const n of resources.nodes)
    for (const encap of ENCAPS) tunnels.set(tunnelName(n.name, encap), { kind: 'tunnel', remote: n.name, encap });
  for (const [name, ofport] of facts.tunnelPorts) {
    const t = tunnels.get(name);
    if (t) places.set(openflowPort(ofport), t);
  }
  for (const [nic, ofport] of facts.physicalPorts ?? []) {
    const l2 = resources.switches.find((s) => s.l2Gateway?.node === node && s.l2Gateway.nic === nic)?.l2Gateway;
    const uplink = resources.routers.find((r) => r.uplink?.gateways.some((g) => g.node === node && g.nic === nic))?.uplink;
    const network = l2?.network ?? uplink?.network;
    if (network) places.set(openflowPort(ofport), { kind: 'nic', nic, network, ...(l2?.vlan === undefined ? {} : { vlan: l2.vlan }) });
  }
  return places;
}

/** A place as a pass's endpoint: a tunnel with the VNI it carried, a NIC with the host the trace
 *  is for when that host sits on its network. Ports the facts do not know are named by number. */
export function endpointOf(
  place: Place | undefined,
  port: number,
  context: { vni?: number; host?: { name: string; network: string } } = {},
): Endpoint {
  if (!place) return { kind: 'port', port: port === Port.LOCAL ? 'br-int' : `ofport ${port}` };
  switch (place.kind) {
    case 'tunnel':
      return { kind: 'tunnel', remote: place.remote, encap: place.encap, vni: context.vni ?? 0 };
    case 'nic':
      return { ...place, ...(context.host && context.host.network === place.network ? { host: context.host.name } : {}) };
    default:
      return place;
  }
}
