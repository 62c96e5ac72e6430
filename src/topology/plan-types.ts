// The lab plan: everything a topology file implies, made explicit by `planLab` (plan.ts).
// It is pure data: runtimes, nodes and the controller consume it, nothing here does I/O.
import type { Encap, Qos, Replication, Role, RouterRoute, SecurityGroup } from '../model/index.ts';

/** A container-level network of the lab (a Docker bridge network in the Docker runtime). */
export interface NetworkPlan {
  /** Stable key inside the lab: 'mgmt', 'underlay' or 'phys:<name>'. */
  key: string;
  /** Runtime name: nvlab-<lab>-mgmt, nvlab-<lab>-underlay, nvlab-<lab>-phys-<name>. */
  name: string;
  /** CIDR, e.g. 172.30.7.0/24. */
  subnet: string;
  /** Address the runtime keeps for itself on this network (the Docker bridge's own address). */
  gateway: string;
  mtu: number;
  /** Whether the network reaches nothing outside the host (underlay and physical networks). */
  internal: boolean;
}

export interface PhysicalNetworkPlan extends NetworkPlan {
  /** The network's name in the topology file. */
  network: string;
  /** 802.1Q tag used on this segment by hosts and the l2 gateway. */
  vlan?: number;
}

export interface ControllerMemberPlan {
  name: string; // ctrl1..ctrlN
  container: string; // nvlab-<lab>-ctrlK
  mgmtIp: string;
}

export type ControllerPlan = { kind: 'builtin'; members: ControllerMemberPlan[] } | { kind: 'external'; targets: string[] };

/** How the lab's control channels are protected (`security` in the file). */
export interface SecurityPlan {
  /** OVSDB, OpenFlow, the store's Raft and the API over TLS with the lab's authorities (default
   *  true); false: in the clear. The API asks for the lab's token either way. */
  tls: boolean;
}

export interface PortPlan {
  name: string;
  switch: string;
  /** Hypervisor hosting the VM. */
  node: string;
  mac: string;
  ip: string;
  prefixLength: number;
  /** Name of the OVS interface on br-int (<= 15 characters, unique in the lab). */
  ifname: string;
  vni: number;
  /** Its security groups, as the file lists them (absent: none, the port is open). */
  securityGroups?: string[];
  /** As the file gives it (absent: the controller's default, on in a group). */
  portSecurity?: boolean;
  qos?: Qos;
}

/** Where a transport node (a gateway) attaches to a physical network. */
export interface AttachmentPlan {
  network: string; // physical network name
  /** Runtime network name. */
  runtimeNetwork: string;
  /** The address the runtime gives the node's NIC there; nodes may move it elsewhere. */
  ip: string;
}

export interface TransportNodePlan {
  name: string;
  role: Role;
  container: string;
  /** The node's own encap override, else defaults.encap. */
  encap: Encap;
  mgmtIp: string;
  /** Transport IP (VTEP) on the underlay, held by br-phy. */
  underlayIp: string;
  underlayPrefixLength: number;
  /** Ports hosted here (hypervisors only), in file order. */
  ports: PortPlan[];
  /** Physical networks this node attaches to (gateways only). */
  attachments: AttachmentPlan[];
}

export interface L2GatewayPlan {
  node: string;
  network: string;
  vlan?: number;
}

export interface SwitchPlan {
  name: string;
  vni: number;
  subnet: string;
  replication: Replication;
  encap: Encap;
  ports: PortPlan[];
  l2Gateway?: L2GatewayPlan;
}

export interface HostPlan {
  name: string;
  container: string;
  network: string; // physical network name
  runtimeNetwork: string;
  ip: string;
  prefixLength: number;
  vlan?: number;
}

export interface RouterInterfacePlan {
  switch: string;
  ip: string;
  prefixLength: number;
  mac: string;
}

export interface RouterUplinkPlan {
  network: string;
  ip: string;
  prefixLength: number;
  mac: string;
  gateways: string[];
  snat: boolean;
}

export interface RouterPlan {
  name: string;
  /** Routed on every node carrying one of its switches (default); false: on its gateways only. */
  distributed: boolean;
  interfaces: RouterInterfacePlan[];
  uplink?: RouterUplinkPlan;
  /** Static routes in file order (the API's spelling). */
  routes: RouterRoute[];
}

export interface LabPlan {
  lab: string;
  description?: string;
  networks: {
    mgmt: NetworkPlan;
    underlay: NetworkPlan;
    physical: PhysicalNetworkPlan[];
  };
  controllers: ControllerPlan;
  security: SecurityPlan;
  transportNodes: TransportNodePlan[];
  hosts: HostPlan[];
  switches: SwitchPlan[];
  routers: RouterPlan[];
  /** The file's security groups, their rules complete (defaults filled in); absent when the file
   *  has no `security-groups`, so an older file plans exactly as it did. */
  securityGroups?: SecurityGroup[];
  /** Scenario step lists as written; the scenario module parses and validates them. */
  scenarios: Record<string, unknown[]>;
}
