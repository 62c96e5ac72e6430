// The logical network as the controller's pipeline computes from it: the store's resources,
// reduced to what decides flows, in name order so that equal stores give equal states.
import type { L2Gateway, LogicalPort, LogicalRouter, LogicalSwitch, RouterGateway, TransportNode } from './resources.ts';

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
}

/**
 * A logical router: its interfaces' switches and MACs, and the uplink's MAC and gateways in
 * priority order (the first is preferred). A router without an uplink has no gateway.
 */
export interface StateRouter extends Pick<LogicalRouter, 'name'> {
  interfaces: readonly { switch: string; mac: string }[];
  uplink?: { mac: string; gateways: readonly RouterGateway[] };
}

export interface LogicalState {
  nodes: readonly StateNode[];
  switches: readonly StateSwitch[];
  ports: readonly StatePort[];
  routers?: readonly StateRouter[];
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The pipeline's view of the store's resources, sorted by name. */
export function logicalState(
  nodes: readonly TransportNode[],
  switches: readonly LogicalSwitch[],
  ports: readonly LogicalPort[],
  routers: readonly LogicalRouter[] = [],
): LogicalState {
  return {
    nodes: nodes
      .map((n) => ({
        name: n.name,
        role: n.role,
        encap: n.encap,
        underlayIp: n.underlayIp,
        ...(n.underlayMac ? { underlayMac: n.underlayMac } : {}),
      }))
      .sort(byName),
    switches: switches
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
      .sort(byName),
    ports: ports
      .map((p) => ({ name: p.name, switch: p.switch, mac: p.mac, ...(p.ip ? { ip: p.ip } : {}), ...(p.node ? { node: p.node } : {}) }))
      .sort(byName),
    routers: routers
      .map((r) => ({
        name: r.name,
        interfaces: r.interfaces.map((i) => ({ switch: i.switch, mac: i.mac })),
        ...(r.uplink ? { uplink: { mac: r.uplink.mac, gateways: r.uplink.gateways.map((g) => ({ node: g.node, nic: g.nic })) } } : {}),
      }))
      .sort(byName),
  };
}
