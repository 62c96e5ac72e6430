// The operations tools' status contract (docs/operations.md, "Status"): what a controller member
// sees of a transport node and of a logical port, a port's counters, and what `nvlab status
// --format json` prints for a whole lab. Other tools read this JSON: fields are only ever added,
// never renamed. Counters are numbers (a lab's never come near 2^53); a counter the switch does
// not keep is left out.
import { z } from 'zod';

/** Packets and bytes one way, as the switch counts them. */
export const CountersSchema = z.object({
  packets: z.int(),
  bytes: z.int(),
  /** Port counters only (OpenFlow port statistics), where the switch keeps them. */
  dropped: z.int().optional(),
  errors: z.int().optional(),
});
export type Counters = z.infer<typeof CountersSchema>;

/** BFD on a tunnel, from the Interface's `bfd_status`. */
export const BfdStatusSchema = z.object({
  /** admin_down, down, init or up. */
  state: z.string(),
  /** Whether OVS forwards through the tunnel (what a fast_failover group's liveness follows). */
  forwarding: z.boolean(),
  remoteState: z.string().optional(),
  /** Why the session last went down, as OVS says it ("Control Detection Time Expired"). */
  diagnostic: z.string().optional(),
  flaps: z.int().optional(),
});
export type BfdStatus = z.infer<typeof BfdStatusSchema>;

export const TunnelStatusSchema = z.object({
  /** The tunnel's interface on br-int (tun-<node>-<gnv|vxl|gre>). */
  interface: z.string(),
  /** The remote transport node, by its underlay IP; absent when no node has that address. */
  remote: z.string().optional(),
  remoteIp: z.string(),
  /** The Interface's type: geneve, vxlan or gre. */
  encap: z.string(),
  /** `options:key` (nvlab's tunnels: `flow`, the VNI is set per packet). */
  key: z.string().optional(),
  ofport: z.int().optional(),
  /** OVS's `link_state` of the interface. */
  link: z.enum(['up', 'down']).optional(),
  /** Only where BFD runs on the tunnel (towards service nodes and gateways). */
  bfd: BfdStatusSchema.optional(),
  /** Counted at the switch: rx came in from the tunnel, tx went out into it. */
  rx: CountersSchema.optional(),
  tx: CountersSchema.optional(),
});
export type TunnelStatus = z.infer<typeof TunnelStatusSchema>;

export const MasterSchema = z.object({ member: z.string(), generation: z.int() });

/** GET /api/v1/transport-nodes/{name}/status: the node as the answering member sees it. */
export const TransportNodeStatusSchema = z.object({
  node: z.string(),
  /** The member that answered. */
  member: z.string(),
  /** This member's OVSDB session with the node, and its OpenFlow connection to br-int. */
  connected: z.object({ ovsdb: z.boolean(), openflow: z.boolean() }),
  /** The node's master, as the store records it; absent while it has none. */
  master: MasterSchema.optional(),
  /** Whether the master has programmed the node fully; only the master knows (absent elsewhere). */
  programmed: z.boolean().optional(),
  /** Flows and groups on br-int (absent when the switch could not be read). */
  flows: z.int().optional(),
  groups: z.int().optional(),
  /** Tunnel ports on br-int, by interface name. */
  tunnels: z.array(TunnelStatusSchema),
});
export type TransportNodeStatus = z.infer<typeof TransportNodeStatusSchema>;

/** What a flow about a logical port does: `classify` what the port sends (on its node),
 *  `deliver` to it locally (on its node), `remote` send to it through a tunnel (other nodes of
 *  its switch); other kinds by their layout name in lower case. */
export const PortFlowSchema = z.object({
  node: z.string(),
  kind: z.string(),
  table: z.int(),
  priority: z.int(),
  /** 0x-prefixed, 16 hex digits. */
  cookie: z.string(),
  packets: z.int(),
  bytes: z.int(),
  /** In the logical network's words (explainCookie). */
  meaning: z.string(),
});
export type PortFlow = z.infer<typeof PortFlowSchema>;

/** GET /api/v1/logical-ports/{name}/status. */
export const LogicalPortStatusSchema = z.object({
  port: z.string(),
  switch: z.string(),
  vni: z.int(),
  member: z.string(),
  /** The transport node it is bound to; absent when unbound. */
  node: z.string().optional(),
  /** An interface with its iface-id is on its node's br-int. */
  plugged: z.boolean(),
  interface: z.string().optional(),
  ofport: z.int().optional(),
  /** Plugged and its interface's link is up. */
  up: z.boolean(),
  /** Flows installed for it, on every node of its switch this member could read. */
  flows: z.array(PortFlowSchema),
  /** Nodes of its switch this member could not read (not connected, or no answer). */
  unread: z.array(z.string()).optional(),
});
export type LogicalPortStatus = z.infer<typeof LogicalPortStatusSchema>;

/**
 * GET /api/v1/logical-ports/{name}/statistics. `rx`/`tx` are the OpenFlow port counters of its
 * interface, counted at the switch: rx is what the VM sent, tx what the switch sent to it.
 * `classify` counts what its classify flow took into the logical switch, `delivery` what its
 * local delivery flow handed to it (flooded frames reach it through a group, not counted there).
 */
export const LogicalPortStatisticsSchema = z.object({
  port: z.string(),
  member: z.string(),
  node: z.string().optional(),
  plugged: z.boolean(),
  interface: z.string().optional(),
  ofport: z.int().optional(),
  rx: CountersSchema.optional(),
  tx: CountersSchema.optional(),
  classify: CountersSchema.pick({ packets: true, bytes: true }).optional(),
  delivery: CountersSchema.pick({ packets: true, bytes: true }).optional(),
});
export type LogicalPortStatistics = z.infer<typeof LogicalPortStatisticsSchema>;

/** A member's Raft role in the store's cluster, from its server's `_Server` row: `disconnected`
 *  while it is not in touch with the cluster (a candidate, or cut off). */
export const RAFT_ROLES = ['leader', 'follower', 'disconnected'] as const;
export type RaftRole = (typeof RAFT_ROLES)[number];
export const raftRoleOf = (server: { connected: boolean; leader: boolean }): RaftRole =>
  server.leader ? 'leader' : server.connected ? 'follower' : 'disconnected';

/** A controller member as the cluster's members see it (GET /api/v1/members). */
export const ClusterMemberSchema = z.object({
  name: z.string(),
  ip: z.string().optional(),
  /** Its lease in the store is current, as the members that answered see it. */
  live: z.boolean(),
  /** Absent when it did not answer. */
  raft: z.enum(RAFT_ROLES).optional(),
  masterOf: z.array(z.string()),
  /** Why it gave no status. */
  error: z.string().optional(),
});
export type ClusterMember = z.infer<typeof ClusterMemberSchema>;

/** `nvlab status`: one controller member, and whether its container runs. */
export const LabMemberStatusSchema = ClusterMemberSchema.extend({ running: z.boolean() });
export type LabMemberStatus = z.infer<typeof LabMemberStatusSchema>;

/** `nvlab status`: a transport node's status (with its role), or why it could not be had. */
export const LabNodeStatusSchema = z.union([
  TransportNodeStatusSchema.extend({ role: z.string() }),
  z.object({ node: z.string(), role: z.string(), error: z.string() }),
]);
export type LabNodeStatus = z.infer<typeof LabNodeStatusSchema>;

export const LabPortStatusSchema = z.union([LogicalPortStatusSchema, z.object({ port: z.string(), error: z.string() })]);
export type LabPortStatus = z.infer<typeof LabPortStatusSchema>;

/** What `nvlab status --format json` prints: members, transport nodes (by name) and logical
 *  ports (by name); with NODE, that node and the ports bound to it. */
export const LabStatusSchema = z.object({
  lab: z.string(),
  members: z.array(LabMemberStatusSchema),
  nodes: z.array(LabNodeStatusSchema),
  ports: z.array(LabPortStatusSchema),
});
export type LabStatus = z.infer<typeof LabStatusSchema>;
