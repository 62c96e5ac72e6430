// Well-known ports and naming rules: how the parts of a lab find each other. The lab runner, the
// node kinds, the runtime and the controller members all follow these, so each is written once.
import { createHash } from 'node:crypto';

/** Ownership labels: every resource of a lab carries them; cleanup finds resources by them alone. */
export const LABEL_LAB = 'nvlab.lab';
export const LABEL_NODE = 'nvlab.node';
export const LABEL_ROLE = 'nvlab.role';
export const LABEL_NETWORK = 'nvlab.network';

/** The northbound REST API of every controller member. */
export const API_PORT = 8080;
/** Where the controller's assets put a member's web console (CONSOLE_FILES) in its container. */
export const CONSOLE_DIR = '/opt/nvlab/console';
/** The member's graph-layout process, beside the member's own bundle. */
export const LAYOUT_PROCESS_FILE = 'graph-layout.mjs';
/** Controller members listen here for transport nodes' ovsdb-servers (their OVSDB managers). */
export const OVSDB_MANAGER_PORT = 6640;
/** Controller members listen here for br-int's OpenFlow 1.3 connections. */
export const OPENFLOW_PORT = 6653;
/** A member's ovsdb-server of the replicated store (clients), and its Raft peers' port. */
export const STORE_PORT = 6641;
export const STORE_RAFT_PORT = 6643;

/** Every runtime name of a lab starts with this. */
export const labPrefix = (lab: string): string => `nvlab-${lab}`;
/** The container (or equivalent) of a lab node. */
export const containerName = (lab: string, node: string): string => `${labPrefix(lab)}-${node}`;

/** A node's NICs, one per network it is on, in the order of its networks: eth0 on the
 *  management network, eth1 on the underlay, then one per physical network it attaches to. */
export const nicName = (index: number): string => `eth${index}`;
export const MGMT_NIC = nicName(0);
export const UNDERLAY_NIC = nicName(1);
export const physicalNic = (attachment: number): string => nicName(2 + attachment);

const sha256hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Linux caps interface names at 15 characters; long port names get a hashed, still unique-ish name. */
export function portIfname(portName: string): string {
  if (portName.length <= 12) return `vm-${portName}`;
  return `vm-${portName.slice(0, 6)}${sha256hex(portName).slice(0, 6)}`;
}

/**
 * A logical router's interface on a switch, as a port of that switch: its iface-id (the logical
 * port name the controller binds flows to) and the OVS interface name on a gateway's br-int. The
 * `lrp:` prefix cannot clash with a port name, which never holds a colon.
 */
export const routerPortId = (routerName: string, switchName: string): string => `lrp:${routerName}:${switchName}`;
export const routerPortIfname = (routerName: string, switchName: string): string =>
  `lrp${sha256hex(`${routerName}/${switchName}`).slice(0, 8)}`;

/** What a distributed router's flows name (their cookies' subjects): its route to one port
 *  (`lrh:`), one of its static routes (`lrr:`), and below, a learned address (`lrb:`). */
export const routerHostRouteId = (routerName: string, portName: string): string => `lrh:${routerName}:${portName}`;
export const routerStaticRouteId = (routerName: string, prefix: string): string => `lrr:${routerName}:${prefix}`;
/** A distributed router's route to an address it learned the MAC of (no logical port has it). */
export const routerBindingRouteId = (routerName: string, ip: string): string => `lrb:${routerName}:${ip}`;

/** A logical router's uplink port on an l3 gateway's br-int: iface-id and interface name. */
export const routerUplinkId = (routerName: string): string => `lru:${routerName}`;
export const routerUplinkIfname = (routerName: string): string => `lru${sha256hex(`${routerName}/uplink`).slice(0, 8)}`;

/**
 * TLS inside a lab node (`security: { tls: true }`, the default): the node's own key and
 * certificate (its common name is the node's name), and the authorities it trusts. A lab has
 * two: the controllers' (members' certificates; switches and members trust it) and the transport
 * nodes' (switches' certificates; only members trust it, so a switch's certificate opens no
 * member-to-member channel: not the store, not its Raft port, not liveness).
 */
export const PKI_DIR = '/etc/nvlab/pki';
export const PKI_FILES = {
  key: `${PKI_DIR}/key.pem`,
  certificate: `${PKI_DIR}/cert.pem`,
  controllersCa: `${PKI_DIR}/controllers-ca.pem`,
  /** Members only. */
  nodesCa: `${PKI_DIR}/nodes-ca.pem`,
} as const;
/** A member's copy of the lab's API token (root only); `Authorization: Bearer <token>`. */
export const API_TOKEN_FILE = '/etc/nvlab/api-token';
/** Every write a member's API accepted or refused, one JSON object per line. */
export const AUDIT_LOG_FILE = '/var/log/nvlab/audit.log';
/** Environment of every lab node: `1` when the lab's control channels run over TLS. */
export const TLS_ENV = 'NVLAB_TLS';
