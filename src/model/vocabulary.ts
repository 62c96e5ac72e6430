// The words of the domain, defined once: every layer (topology files, the controller's store and
// API, its pipeline, the lab runner) speaks them.

export const ROLES = ['hypervisor', 'service-node', 'l2-gateway', 'l3-gateway'] as const;
/** What a transport node does (docs/topology.md). */
export type Role = (typeof ROLES)[number];
/** Whether a node's role (as its labels carry it: also `controller`, `host`) is a transport node's. */
export const isTransportRole = (role: string): role is Role => (ROLES as readonly string[]).includes(role);

export const ENCAPS = ['geneve', 'vxlan', 'gre'] as const;
export type Encap = (typeof ENCAPS)[number];

export const REPLICATIONS = ['source', 'service-node'] as const;
/** How a logical switch floods broadcast, unknown unicast and multicast. */
export type Replication = (typeof REPLICATIONS)[number];

export const DEFAULT_ROLE: Role = 'hypervisor';
export const DEFAULT_ENCAP: Encap = 'geneve';
export const DEFAULT_REPLICATION: Replication = 'source';

/** Names of nodes, ports, hosts, switches, routers and networks share one namespace. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;
/** A lab name prefixes every resource of the lab, so it is shorter. */
export const LAB_NAME_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;
export const MIN_VNI = 1;
export const MAX_VNI = 16_777_215;
export const MIN_VLAN = 1;
export const MAX_VLAN = 4094;
/** Built-in controller cluster sizes: an odd count keeps a majority. */
export const CONTROLLER_SIZES = [1, 3, 5] as const;
/**
 * Routers with an interface on one switch, at most: the pipeline numbers a switch's routers
 * into its group ids (src/controller/pipeline/ids.ts).
 */
export const MAX_ROUTERS_PER_SWITCH = 16;

/** A security group rule's words (docs/topology.md, "Security groups"). */
export const RULE_DIRECTIONS = ['ingress', 'egress'] as const;
export type RuleDirection = (typeof RULE_DIRECTIONS)[number];
export const RULE_PROTOCOLS = ['icmp', 'tcp', 'udp', 'any'] as const;
export type RuleProtocol = (typeof RULE_PROTOCOLS)[number];
/** allow: stateful (replies pass, the connection is committed); allow-stateless: this direction
 *  only; drop: silently; reject: a TCP reset or an ICMP port unreachable back to the sender. */
export const RULE_ACTIONS = ['allow', 'allow-stateless', 'drop', 'reject'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];
/** Rate units of a port's QoS, in kbit/s each. */
export const RATE_UNITS = { kbit: 1, mbit: 1000, gbit: 1_000_000 } as const;
