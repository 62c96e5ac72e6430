// The inputs and outputs of the pipeline computation besides the logical state (src/model):
// the facts one switch reports (OpenFlow port numbers), and what its br-int should hold.
import type { Encap } from '../../model/index.ts';
import type { FlowMod, GroupMod, MeterMod } from '../../openflow/index.ts';

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
export type MeterModMsg = Omit<MeterMod, 'xid'> & { xid?: number };

export interface DesiredFlows {
  flows: FlowModMsg[];
  groups: GroupModMsg[];
  /** Its meters (ports' QoS), by id; absent: none. */
  meters?: MeterModMsg[];
}

export interface DesiredState extends DesiredFlows {
  tunnels: DesiredTunnel[];
}
