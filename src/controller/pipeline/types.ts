// The inputs and outputs of the pipeline computation: the logical state as the store holds it,
// the facts one switch reports (OpenFlow port numbers), and what its br-int should hold.
import type { FlowMod, GroupMod } from '../../openflow/index.ts';

export type NodeRole = 'hypervisor' | 'service-node' | 'l2-gateway' | 'l3-gateway';
export type Encap = 'geneve' | 'vxlan' | 'gre';
export type Replication = 'source' | 'service-node';

export interface TransportNode {
  name: string;
  role: NodeRole;
  encap: Encap;
  underlayIp: string;
  underlayMac?: string;
}

export interface LogicalSwitch {
  name: string;
  /** 1..16777215, unique: it is the tunnel key and the switch's metadata value. */
  vni: number;
  replication: Replication;
  encap: Encap;
  /** Bridged onto a physical network by an L2 gateway: the node, the 802.1Q tag (absent:
   *  untagged) and the node's NIC on that network, plugged into its br-int. */
  l2Gateway?: { node: string; vlan?: number; nic: string };
}

export interface LogicalPort {
  name: string;
  switch: string;
  mac: string;
  ip?: string;
  /** Transport node the port is bound to; undefined: not bound anywhere. */
  node?: string;
  /** false: its node is connected and has no interface with this iface-id yet (the VM is not
   *  plugged in): other nodes get no unicast flow towards it, as a port that is down. Absent:
   *  up, or not known (the node is not connected), which is treated as up. */
  up?: boolean;
}

/**
 * A logical router, realised as a network namespace on each of its gateways (the lab builds
 * it); the pipeline forwards around it so that one gateway at a time is active. On a gateway,
 * interface (R, S) is the br-int port with iface-id `lrp:<R>:<S>`, the uplink the one with
 * `lru:<R>`, and the gateway's NIC on the uplink's network a port named `nic`.
 */
export interface LogicalRouter {
  name: string;
  interfaces: readonly { switch: string; mac: string }[];
  /** The uplink's MAC and the gateways, in priority order (the first is preferred). A router
   *  without an uplink has no gateway, so nothing realises it. */
  uplink?: { mac: string; gateways: readonly { node: string; nic: string }[] };
}

export interface LogicalState {
  nodes: readonly TransportNode[];
  switches: readonly LogicalSwitch[];
  ports: readonly LogicalPort[];
  routers?: readonly LogicalRouter[];
}

/** What one switch reports: OpenFlow port numbers of VM interfaces (by iface-id = logical
 *  port name, or a router's `lrp:`/`lru:` id) and of tunnel interfaces (by interface name).
 *  Missing entries are not there yet. */
export interface NodeFacts {
  vmPorts: ReadonlyMap<string, number>;
  tunnelPorts: ReadonlyMap<string, number>;
  /** Other br-int interfaces by name (an L2 gateway's physical NIC, an L3 gateway's uplink NIC). */
  physicalPorts?: ReadonlyMap<string, number>;
}

export interface DesiredTunnel {
  /** Interface name on br-int, at most 15 characters. */
  name: string;
  remoteNode: string;
  remoteIp: string;
  remoteMac?: string;
  encap: Encap;
  /** Run BFD on it (between a service node and a node it serves, and between a router's
   *  gateways and the nodes of its switches); absent: no BFD. */
  bfd?: boolean;
}

/** A flow-mod or group-mod to send: the connection assigns the xid. */
export type FlowModMsg = Omit<FlowMod, 'xid'> & { xid?: number };
export type GroupModMsg = Omit<GroupMod, 'xid'> & { xid?: number };

export interface DesiredFlows {
  flows: FlowModMsg[];
  groups: GroupModMsg[];
}

export interface DesiredState extends DesiredFlows {
  tunnels: DesiredTunnel[];
}
