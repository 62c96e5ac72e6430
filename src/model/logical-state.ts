// The logical network as the controller's pipeline computes from it: the store's resources,
// reduced to what decides flows, in name order so that equal stores give equal states.
import { isRemoteGroup, parsePortRange, parseRate } from './fields.ts';
import { parseIp } from './ipv4.ts';
import type {
  L2Gateway,
  LogicalPort,
  LogicalRouter,
  LogicalSwitch,
  MacBinding,
  Qos,
  RouterGateway,
  RouterRoute,
  SecurityGroup,
  TransportNode,
} from './resources.ts';
import type { RuleAction, RuleDirection, RuleProtocol } from './vocabulary.ts';

export type StateNode = Pick<TransportNode, 'name' | 'role' | 'encap' | 'underlayIp' | 'underlayMac'>;

/** Bridged onto a physical network by an L2 gateway: the node, the 802.1Q tag (absent:
 *  untagged) and the node's NIC on that network, plugged into its br-int. */
export type StateL2Gateway = Pick<L2Gateway, 'node' | 'vlan' | 'nic'>;

export interface StateSwitch extends Pick<LogicalSwitch, 'name' | 'vni' | 'replication' | 'encap'> {
  l2Gateway?: StateL2Gateway;
}

export interface StatePort extends Pick<LogicalPort, 'name' | 'switch' | 'mac' | 'ip' | 'node'> {
  /** false: its node is connected and has no interface with this iface-id yet (the VM is not
   *  plugged in): other nodes get no unicast flow towards it, as a port that is down. Absent:
   *  up, or not known (the node is not connected), which is treated as up. */
  up?: boolean;
  /** Its security groups, sorted (absent: none; the port is open). */
  securityGroups?: readonly string[];
  /** What it sends from another MAC or IP is dropped (resolved: its own setting, else on when
   *  it is in a group; absent: off). */
  portSecurity?: true;
  /** What it may send: kbit/s, and the burst in kbit. */
  qos?: StateQos;
}

export interface StateQos {
  rateKbps: number;
  burstKbits: number;
}

/** One rule of a group, resolved: `index` is its place in the group (rule index + 1 in words). */
export interface StateRule {
  index: number;
  direction: RuleDirection;
  protocol: RuleProtocol;
  /** TCP and UDP: the destination ports it covers (absent: all). */
  ports?: { min: number; max: number };
  /** A subnet, or a group whose ports' addresses it stands for. */
  remote: { cidr: string } | { group: string };
  action: RuleAction;
}

export interface StateSecurityGroup {
  name: string;
  rules: readonly StateRule[];
}

/**
 * A logical router: its interfaces' switches and MACs, and the uplink's MAC and gateways in
 * priority order (the first is preferred). A router without an uplink has no gateway.
 */
export interface StateRouter extends Pick<LogicalRouter, 'name'> {
  /** Routed on every node carrying one of its switches (the pipeline's router stage); false: only
   *  in its namespace on its gateways. */
  distributed: boolean;
  /** `ip`: the interface's address and prefix length (10.0.1.1/24). */
  interfaces: readonly { switch: string; mac: string; ip: string }[];
  uplink?: { mac: string; ip: string; gateways: readonly RouterGateway[] };
  /** Static routes, in the order given. */
  routes?: readonly RouterRoute[];
}

/** An address the distributed routers learned (an ARP reply to one of them), OVN's MAC_Binding. */
export interface StateMacBinding {
  switch: string;
  ip: string;
  mac: string;
}

export interface LogicalState {
  nodes: readonly StateNode[];
  switches: readonly StateSwitch[];
  ports: readonly StatePort[];
  routers?: readonly StateRouter[];
  /** Every security group (absent or empty: no port is in one). */
  securityGroups?: readonly StateSecurityGroup[];
  /** Addresses the distributed routers learned, by switch then address (absent: none). */
  macBindings?: readonly StateMacBinding[];
}

export const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The pipeline's view of the store's resources, sorted by name. */
export function logicalState(
  nodes: readonly TransportNode[],
  switches: readonly LogicalSwitch[],
  ports: readonly LogicalPort[],
  routers: readonly LogicalRouter[] = [],
  securityGroups: readonly SecurityGroup[] = [],
  macBindings: readonly MacBinding[] = [],
): LogicalState {
  return composeState({
    nodes: stateNodes(nodes),
    switches: stateSwitches(switches),
    ports: ports.map(statePort).sort(byName),
    routers: stateRouters(routers),
    securityGroups: securityGroups.map(stateGroup).sort(byName),
    macBindings: stateMacBindings(macBindings),
  });
}

/** A logical state from its parts as the pipeline reads them (each sorted; empty optional parts
 *  left out). A store keeps each part while its tables do not change (controller/store/state.ts). */
export function composeState(parts: Required<LogicalState>): LogicalState {
  return {
    nodes: parts.nodes,
    switches: parts.switches,
    ports: parts.ports,
    routers: parts.routers,
    ...(parts.securityGroups.length ? { securityGroups: parts.securityGroups } : {}),
    ...(parts.macBindings.length ? { macBindings: parts.macBindings } : {}),
  };
}

export function stateNodes(nodes: readonly TransportNode[]): StateNode[] {
  return nodes
    .map((n) => ({
      name: n.name,
      role: n.role,
      encap: n.encap,
      underlayIp: n.underlayIp,
      ...(n.underlayMac ? { underlayMac: n.underlayMac } : {}),
    }))
    .sort(byName);
}

export function stateSwitches(switches: readonly LogicalSwitch[]): StateSwitch[] {
  return switches
    .map((s) => ({
      name: s.name,
      vni: s.vni,
      replication: s.replication,
      encap: s.encap,
      ...(s.l2Gateway
        ? {
            l2Gateway: {
              node: s.l2Gateway.node,
              ...(s.l2Gateway.vlan === undefined ? {} : { vlan: s.l2Gateway.vlan }),
              nic: s.l2Gateway.nic,
            },
          }
        : {}),
    }))
    .sort(byName);
}

export function stateRouters(routers: readonly LogicalRouter[]): StateRouter[] {
  return routers
    .map((r) => ({
      name: r.name,
      distributed: r.distributed,
      interfaces: r.interfaces.map((i) => ({ switch: i.switch, mac: i.mac, ip: i.ip })),
      ...(r.uplink
        ? { uplink: { mac: r.uplink.mac, ip: r.uplink.ip, gateways: r.uplink.gateways.map((g) => ({ node: g.node, nic: g.nic })) } }
        : {}),
      ...(r.routes.length ? { routes: r.routes.map((t) => ({ prefix: t.prefix, nextHop: t.nextHop })) } : {}),
    }))
    .sort(byName);
}

export function stateGroups(groups: readonly SecurityGroup[]): StateSecurityGroup[] {
  return groups.map(stateGroup).sort(byName);
}

export function stateMacBindings(macBindings: readonly MacBinding[]): StateMacBinding[] {
  return macBindings.map((b) => ({ switch: b.switch, ip: b.ip, mac: b.mac })).sort(bySwitchThenIp);
}

/** Switch names in order, then addresses in numeric order (10.0.1.9 before 10.0.1.10). */
export function bySwitchThenIp(a: { switch: string; ip: string }, b: { switch: string; ip: string }): number {
  if (a.switch !== b.switch) return a.switch < b.switch ? -1 : 1;
  return (parseIp(a.ip) ?? 0) - (parseIp(b.ip) ?? 0);
}

/**
 * 0.4 s of the rate, when no burst is given: a meter drops what exceeds it, and with a tenth of a
 * second (`tc`'s advice) TCP backed off to 5-7 Mbit/s under 10mbit; 0.4 s gives 9.2-10.3 (bench:acl).
 */
export function stateQos(qos: Qos): StateQos {
  const rateKbps = parseRate(qos.rate)!;
  return { rateKbps, burstKbits: qos.burst === undefined ? Math.max(1, Math.round(rateKbps * 0.4)) : parseRate(qos.burst)! };
}

/** One port as the pipeline reads it (a state's ports are sorted by name: byName). */
export function statePort(p: LogicalPort): StatePort {
  const groups = [...new Set(p.securityGroups ?? [])].sort();
  return {
    name: p.name,
    switch: p.switch,
    mac: p.mac,
    ...(p.ip ? { ip: p.ip } : {}),
    ...(p.node ? { node: p.node } : {}),
    ...(groups.length ? { securityGroups: groups } : {}),
    ...((p.portSecurity ?? groups.length > 0) ? { portSecurity: true as const } : {}),
    ...(p.qos ? { qos: stateQos(p.qos) } : {}),
  };
}

function stateGroup(g: SecurityGroup): StateSecurityGroup {
  return {
    name: g.name,
    rules: g.rules.map((r, index) => ({
      index,
      direction: r.direction,
      protocol: r.protocol,
      ...(r.ports === undefined ? {} : { ports: parsePortRange(r.ports)! }),
      remote: isRemoteGroup(r.remote) ? { group: r.remote } : { cidr: r.remote },
      action: r.action,
    })),
  };
}
