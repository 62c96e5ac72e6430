// Where a copy that left br-int went, in the lab's words: the OpenFlow port of an output read
// against the node's interfaces (a VM's or router port's iface-id, a tunnel's remote address, a
// gateway's NIC on a physical network and the host there with that MAC), and whether it can get
// further (a tunnel whose BFD says down, a node whose underlay link is cut).
import type { Endpoint } from '../../controller/traceflow/index.ts';
import type { DropReason, Encap } from '../../model/index.ts';
import { TUNNEL_TYPES, type OvsBridgeState, type OvsInterfaceState } from '../ovs-state.ts';
import type { LabView } from './lab-view.ts';
import type { TraceOutput } from './ofproto-trace.ts';
import { isGroupMac, type Packet } from './packet.ts';
import { routerPortEndpoint } from './router.ts';

/** A node's interfaces as a trace reads its outputs. */
export interface NodeFacts {
  node: string;
  /** br-int's interfaces by OpenFlow port. */
  ports: Map<number, OvsInterfaceState>;
  /** The underlay NIC has no link: the node is cut off (partitioned). */
  underlayDown: boolean;
}

export function nodeFacts(node: string, bridges: readonly OvsBridgeState[]): NodeFacts {
  const brInt = bridges.find((b) => b.name === 'br-int');
  const brPhy = bridges.find((b) => b.name === 'br-phy');
  return {
    node,
    ports: new Map((brInt?.interfaces ?? []).map((i) => [i.ofport, i])),
    underlayDown: (brPhy?.interfaces ?? []).some((i) => i.type === 'system' && i.linkState === 'down'),
  };
}

export interface Loss {
  reason: DropReason;
  detail: string;
}

export interface ExitRead {
  exit: Endpoint;
  /** The copy goes no further than this exit. */
  loss?: Loss;
}

/** The logical port, tunnel, NIC or router port behind an interface with an iface-id. */
function boundEndpoint(ifaceId: string): Endpoint {
  const lrp = /^lrp:([^:]+):(.+)$/.exec(ifaceId);
  if (lrp) return routerPortEndpoint(lrp[1]!, lrp[2]!);
  const lru = /^lru:(.+)$/.exec(ifaceId);
  if (lru) return routerPortEndpoint(lru[1]!);
  return { kind: 'port', port: ifaceId };
}

/** A gateway NIC's physical network: an L2 gateway's switch's, or a router uplink's. */
function nicNetwork(view: LabView, node: string, nic: string): string | undefined {
  const l2 = view.switches.find((s) => s.l2Gateway?.node === node && s.l2Gateway.nic === nic);
  if (l2) return l2.l2Gateway!.network;
  return view.routers.find((r) => r.uplink?.gateways.some((g) => g.node === node && g.nic === nic))?.uplink?.network;
}

/** The host a frame out a NIC reaches: the one with its destination MAC on that VLAN; for a
 *  broadcast or multicast, the target when it is there. */
function hostReached(view: LabView, network: string, vlan: number | undefined, packet: Packet, target: string): string | undefined {
  const there = view.hosts.filter((h) => h.network === network && h.vlan === vlan);
  if (isGroupMac(packet.dlDst)) return there.find((h) => h.name === target)?.name;
  return there.find((h) => h.mac === packet.dlDst)?.name;
}

function tunnelExit(view: LabView, facts: NodeFacts, iface: OvsInterfaceState, output: TraceOutput): ExitRead {
  const ip = iface.options.remote_ip ?? '';
  const remote = view.nodes.find((n) => n.underlayIp === ip)?.name ?? ip;
  const exit: Endpoint = { kind: 'tunnel', remote, encap: iface.type as Encap, vni: output.tunId ?? 0 };
  if (facts.underlayDown) return { exit, loss: { reason: 'unreachable', detail: `${facts.node}'s underlay link is down: it is cut off` } };
  const bfd = iface.bfd;
  if (bfd && (bfd.state !== 'up' || !bfd.forwarding))
    return {
      exit,
      loss: {
        reason: 'tunnel-down',
        detail: `the BFD session of ${iface.name} to ${remote} is ${bfd.state}${bfd.state === 'up' ? ', not forwarding' : ''}`,
      },
    };
  return { exit };
}

/** Where an output of a trace on `facts.node` went. */
export function readExit(view: LabView, facts: NodeFacts, output: TraceOutput, packet: Packet, target: string): ExitRead | Loss {
  const iface = facts.ports.get(output.port);
  if (!iface) return { reason: 'no-flow', detail: `output to port ${output.port}, which br-int of ${facts.node} does not have` };
  if (TUNNEL_TYPES.has(iface.type)) return tunnelExit(view, facts, iface, output);
  if (iface.ifaceId) return { exit: boundEndpoint(iface.ifaceId) };
  const network = nicNetwork(view, facts.node, iface.name) ?? iface.name;
  const host = hostReached(view, network, output.vlan, packet, target);
  return {
    exit: { kind: 'nic', nic: iface.name, network, ...(output.vlan === undefined ? {} : { vlan: output.vlan }), ...(host ? { host } : {}) },
  };
}
