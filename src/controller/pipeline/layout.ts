// The br-int pipeline as an ordered list of stages, and every number each one writes: the
// tables it defines and writes into, its priorities, its cookie kinds (a flow cookie's top byte)
// and its group id kinds (a group id's top byte). One row per stage, in the order
// stages/index.ts runs them (stages/<name>.ts builds each); the README's table of stages lists
// the same. Every number is a constant here or derived from names and VNIs, never allocated, so
// any controller member computes the same values and recognises what another one installed.
import { MAX_ROUTERS_PER_SWITCH } from '../../model/index.ts';

/** reg6: where the packet entered br-int. */
export const From = { VM: 1, TUNNEL: 2 } as const;
/** reg7 bit 0, set by a learned flow of table 40: the destination MAC sits on the physical side. */
export const LEARNED_REG = 7;
/** reg5: the OpenFlow port a frame is being delivered to, while the ingress ACL of that port
 *  (a VM in a security group) decides (acl stage). */
export const OUT_PORT_REG = 5;

export const Priority = {
  /** Table 10: a local port's frame to a router interface goes to the router's active gateway,
   *  even on a standby gateway where the interface is local. */
  ROUTER: 120,
  /** Table 10: a local VM's MAC wins over a (misconfigured) remote one with the same MAC. Table
   *  20: an L2 gateway's learned MAC. Table 0: a router's uplink towards another router's uplink
   *  on the same NIC. */
  LOCAL_UNICAST: 110,
  MATCH: 100,
  /** Table 10: broadcast, multicast and unknown unicast go on to flooding. */
  FLOOD: 10,
  /** Table 1: what a port with port security sends from another address. */
  SPOOFED: 1,
  MISS: 0,
} as const;

/** reg3: the VNI of the switch a frame entered a distributed router from (distributed-router stage). */
export const ROUTER_IN_REG = 3;
/** reg4: a router's address, for the controller to answer from (ICMP time exceeded) or ask from (ARP). */
export const ROUTER_ADDRESS_REG = 4;
/** reg0: the next hop whose MAC a router without gateways asks the controller for (0: the destination). */
export const NEXT_HOP_REG = 0;

/** Table 10 for a distributed router: what the router answers itself (ARP for its addresses, a
 *  ping to them) above a TTL that runs out, above routing. Table 50: routes by prefix length,
 *  the longest first; at one length, a connected network before a static route. */
export const RouterPriority = {
  /** An answer back to an L2 gateway's tagged NIC, which must be tagged again. */
  ANSWER_TAGGED: 131,
  ANSWER: 130,
  TTL: 125,
  ENTRY: Priority.ROUTER,
  ROUTE_BASE: 100,
  NO_ROUTE: 0,
} as const;

/** The priority of a route to `prefixLength` bits in table 50. */
export const routePriority = (prefixLength: number, connected: boolean): number =>
  RouterPriority.ROUTE_BASE + prefixLength * 2 + (connected ? 1 : 0);

/** The ACL tables' order of decisions (stages/acl.ts): invalid connections are dropped, then the
 *  groups' drop and reject rules (they cut established connections too), then established
 *  connections a live rule allowed, then allow rules (new connections, or established ones whose
 *  rule is gone but another allows them), then the default (ingress: drop; egress: allow). */
export const AclPriority = {
  TRACK: 100,
  UNTRACKED: 90,
  INVALID: 1000,
  DENY: 950,
  ESTABLISHED: 900,
  ALLOW: 800,
  DEFAULT: 1,
} as const;

/** One stage's numbers. `tables` are the tables it defines (by name), `writes` those it puts
 *  flows in, its own and earlier stages' (in order). A reserved stage holds its place and table
 *  numbers for what comes next and writes nothing yet. */
export interface StageLayout {
  name: string;
  reserved?: true;
  tables: Readonly<Record<string, number>>;
  writes: readonly number[];
  priorities: readonly number[];
  cookies: Readonly<Record<string, number>>;
  groups: Readonly<Record<string, number>>;
}

/** Table 0: where a frame entered (reg6) and its switch (metadata): local ports (VMs, router
 *  interfaces on a gateway), tunnels, and on a service node the switches it serves. */
const classify = {
  name: 'classify',
  tables: { CLASSIFY: 0 },
  writes: [0],
  priorities: [Priority.MATCH],
  cookies: {
    CLASSIFY_VM: 0x01,
    CLASSIFY_TUNNEL: 0x02,
    /** Service node: a tunnel's frame of a switch it serves, on to replication. */ CLASSIFY_SERVED: 0x09,
  },
  groups: {},
} as const;

/** Table 1: a port with port security: what it sends from its own MAC (and IP, in IPv4 and ARP)
 *  goes on (to its egress ACL, or L2 forwarding); anything else is dropped. */
const portSecurity = {
  name: 'port-security',
  tables: { PORT_SECURITY: 1 },
  writes: [1],
  priorities: [Priority.MATCH, Priority.SPOOFED],
  cookies: {
    /** What a port sends from its own addresses. */
    PORT_SECURITY: 0x16,
    /** What a port sends from another address: dropped. */
    PORT_SECURITY_DROP: 0x17,
  },
  groups: {},
} as const;

/** Tables 5-8: security groups. A port's frames leaving it (egress ACL: 5 tracks them in the
 *  port's conntrack zone, 6 decides) and arriving at it (ingress ACL: 7 tracks, 8 decides). */
const acl = {
  name: 'acl',
  tables: { ACL_OUT: 5, ACL_OUT_DECIDE: 6, ACL_IN: 7, ACL_IN_DECIDE: 8 },
  writes: [5, 6, 7, 8],
  priorities: Object.values(AclPriority),
  cookies: {
    /** Into the port's conntrack zone (IPv4), or on (anything else: ARP). */
    ACL_TRACK: 0x18,
    /** An established connection a live rule allowed (the rule in its ct_mark). */
    ACL_ESTABLISHED: 0x19,
    /** A rule of a group (the subject: the rule's mark). */
    ACL_RULE: 0x1a,
    /** The default: ingress dropped, egress allowed (and committed). */
    ACL_DEFAULT: 0x1b,
    /** An invalid connection state: dropped. */
    ACL_INVALID: 0x1c,
  },
  groups: {},
} as const;

/** Table 10: a known destination MAC to its local port or, from a local VM only, into the
 *  tunnel of its node; anything else on to flooding. Cookie kind 0x05 (a tunnel-unicast drop)
 *  is no longer written. */
const l2 = {
  name: 'l2-forwarding',
  tables: { L2: 10 },
  writes: [10],
  priorities: [Priority.LOCAL_UNICAST, Priority.MATCH, Priority.FLOOD],
  cookies: { L2_LOCAL: 0x03, L2_REMOTE: 0x04, L2_FLOOD: 0x06 },
  groups: {},
} as const;

/** Table 20: broadcast, multicast and unknown unicast through one group per switch and
 *  direction; in service-node mode, one copy to the first live service node. */
const flood = {
  name: 'flooding',
  tables: { FLOOD: 20 },
  writes: [20],
  priorities: [Priority.MATCH],
  cookies: { FLOOD_FROM_VM: 0x07, FLOOD_FROM_TUNNEL: 0x08 },
  groups: { FLOOD_LOCAL: 0x00, FLOOD_ALL: 0x01, SERVICE_FAILOVER: 0x02 },
} as const;

/** Table 30, service nodes: one copy to every other node carrying the switch. */
const replicate = {
  name: 'replication',
  tables: { REPLICATE: 30 },
  writes: [30],
  priorities: [Priority.MATCH],
  cookies: { /** Service node: replicate to the switch's other nodes. */ REPLICATE: 0x0a },
  groups: { REPLICATE: 0x03 },
} as const;

/** An L2 gateway bridging a switch onto a VLAN: its NIC classified like a local port (learning
 *  source MACs into table 40, which OVS writes and reconciliation leaves alone), a tunnel's
 *  frame looked up there, a learned destination out the NIC. */
const l2Gateway = {
  name: 'l2-gateway',
  tables: { LEARNED: 40 },
  writes: [0, 10, 20],
  priorities: [Priority.LOCAL_UNICAST, Priority.MATCH],
  cookies: {
    /** L2 gateway: the physical NIC's frames of the bridged VLAN into the switch (and learn). */
    CLASSIFY_PHYSICAL: 0x0b,
    /** L2 gateway: a tunnel's frame, looked up among the learned physical MACs. */
    L2GW_FROM_TUNNEL: 0x0c,
    /** L2 gateway: to a learned physical MAC, out the NIC with the tag. */
    L2GW_TO_PHYSICAL: 0x0d,
    /** L2 gateway: flows its `learn` action writes into table 40. */
    L2GW_LEARNED: 0x0e,
  },
  groups: {},
} as const;

/** Logical routers: a local port's frame to a router interface into the router's failover group
 *  (table 10), a standby gateway's gates, and on a gateway the uplinks and their NIC (table 0). */
const router = {
  name: 'router',
  tables: {},
  writes: [0, 10],
  priorities: [Priority.ROUTER, Priority.LOCAL_UNICAST, Priority.MATCH],
  cookies: {
    /** Table 10: a local port's frame to a router interface, into the router's failover group. */
    ROUTER_UNICAST: 0x10,
    /** L3 gateway, table 0: the NIC's frame to a router's uplink MAC, (gated) into the uplink. */
    UPLINK_FROM_NIC: 0x11,
    /** L3 gateway, table 0: the NIC's broadcast and multicast, (gated) into every uplink on it. */
    UPLINK_NIC_FLOOD: 0x12,
    /** L3 gateway, table 0: the uplink's frames, (gated) out the NIC. */
    UPLINK_TO_NIC: 0x13,
    /** L3 gateway, table 0: an uplink's frame to another router's uplink on the same NIC. */
    UPLINK_HAIRPIN: 0x14,
    /** L3 gateway, table 0: an uplink's broadcast and multicast: the NIC and the other uplinks. */
    UPLINK_FLOOD: 0x15,
  },
  /** ROUTER_FAILOVER and ROUTER_PORT_GATE add the router's slot on the switch (0-15) to the kind. */
  groups: { ROUTER_FAILOVER: 0x10, ROUTER_PORT_GATE: 0x20, UPLINK_GATE_IN: 0x30, UPLINK_GATE_OUT: 0x31 },
} as const;

/** Distributed logical routers (NVP 3.1, as OVN does): on every node carrying one of a router's
 *  switches, table 10 answers ARP and pings for the router's addresses and takes IPv4 frames to
 *  its MAC into routing; table 50 routes them by longest prefix (TTL decremented, MACs rewritten
 *  from the bindings the controller knows) straight to the destination's port or the tunnel of
 *  its node, with the destination switch's VNI; what only the router's gateways can reach (its
 *  uplink, an address no port has) goes on to table 51, into the router's failover group. */
const distributedRouter = {
  name: 'distributed-router',
  tables: { ROUTE: 50, TO_GATEWAY: 51, RESOLVE_OUT: 52 },
  writes: [10, 50, 51, 52],
  priorities: [
    RouterPriority.ANSWER_TAGGED,
    RouterPriority.ANSWER,
    RouterPriority.TTL,
    RouterPriority.ENTRY,
    RouterPriority.NO_ROUTE,
    ...Array.from({ length: 33 }, (_, k) => [routePriority(k, false), routePriority(k, true)]).flat(),
  ],
  cookies: {
    /** Table 10: an ARP request for the router's address on the switch, answered on the node. */
    ROUTER_ARP: 0x1d,
    /** Table 10: a ping to one of the router's addresses, answered on the node. */
    ROUTER_ECHO: 0x1e,
    /** Table 10: a frame to route whose TTL runs out: to the controller (ICMP time exceeded). */
    ROUTER_TTL: 0x1f,
    /** Table 10: an IPv4 frame to the router's MAC, into routing. */
    ROUTER_IN: 0x20,
    /** Table 50: a route (to a port, a static route, a connected network, the uplink). */
    ROUTE: 0x21,
    /** Table 51: on to the router's gateways, from the switch it came in on. */
    ROUTE_TO_GATEWAY: 0x22,
    /** Table 50: no route: dropped. */
    NO_ROUTE: 0x23,
    /** Table 50: an address no port has and no binding gives, on a router without gateways: to
     *  the controller, which asks for it (ARP); the packet is dropped meanwhile. Table 52: where
     *  the controller's request goes, into the switch from any node of the router. */
    ROUTER_RESOLVE: 0x24,
    /** Table 10: an ARP reply to the router's address: to the controller, which stores the
     *  binding (MAC_Binding) for every node to route with. */
    ROUTER_LEARN: 0x25,
  },
  groups: {},
} as const;

/** Explicit drops at priority 0 in the tables every frame may reach, so that dumps say so (a
 *  frame enters the port security and ACL tables only for a port whose flows there end in its
 *  own catch-all). */
const tableMiss = {
  name: 'table-miss',
  tables: {},
  writes: [0, 10, 20, 30],
  priorities: [Priority.MISS],
  cookies: { TABLE_MISS: 0x0f },
  groups: {},
} as const;

/** The stages in pipeline order. */
export const LAYOUT = {
  classify,
  portSecurity,
  acl,
  l2,
  flood,
  replicate,
  l2Gateway,
  router,
  distributedRouter,
  tableMiss,
} as const satisfies Record<string, StageLayout>;

export const Table = {
  ...classify.tables,
  ...portSecurity.tables,
  ...acl.tables,
  ...l2.tables,
  ...flood.tables,
  ...replicate.tables,
  ...l2Gateway.tables,
  ...distributedRouter.tables,
} as const;

/** Where a table comes in a frame's walk through br-int: in its number's order, except the
 *  ingress ACL (tables 7 and 8), which L2 forwarding and flooding hand a frame to on its way out
 *  to a VM: it comes last. Orders the rules an injected trace saw, which come without an order. */
export function walkRank(table: number): number {
  return table === Table.ACL_IN || table === Table.ACL_IN_DECIDE ? 0x100 + table : table;
}

/** Kind of flow, the top byte of its cookie. */
export const CookieKind = {
  ...classify.cookies,
  ...portSecurity.cookies,
  ...acl.cookies,
  ...l2.cookies,
  ...flood.cookies,
  ...replicate.cookies,
  ...l2Gateway.cookies,
  ...router.cookies,
  ...distributedRouter.cookies,
  ...tableMiss.cookies,
} as const;
export type CookieKind = (typeof CookieKind)[keyof typeof CookieKind];

/** Kind of group, the top byte of its id (the low 24 bits: a VNI, or a router's index). */
export const GroupKind = { ...flood.groups, ...replicate.groups, ...router.groups } as const;
/** Kinds whose id adds a router's slot on the switch: 4 bits, hence MAX_ROUTERS_PER_SWITCH. */
export const SLOTTED_GROUP_KINDS: readonly number[] = [GroupKind.ROUTER_FAILOVER, GroupKind.ROUTER_PORT_GATE];
export const GROUP_SLOTS = MAX_ROUTERS_PER_SWITCH;

/** The tables this module owns: reconciliation deletes unknown flows here, and only here. Every
 *  table a stage defines, but those of reserved stages (nothing there yet) and table 40 (LEARNED),
 *  which holds what an L2 gateway's `learn` action writes and is left to OVS. */
export const PIPELINE_TABLES: readonly number[] = Object.values(LAYOUT as Record<string, StageLayout>)
  .filter((s) => !s.reserved)
  .flatMap((s) => Object.values(s.tables))
  .filter((t) => t !== Table.LEARNED);

/** Injected traceflows (src/controller/traceflow): shadow copies of a node's flows and groups that
 *  only a trace's marked packet matches, above every priority of the stages. Not a stage (no
 *  member computes them from the logical state): reconciliation never touches them, and a new
 *  master removes any it finds (a member that died mid-trace leaves them behind). */
export const TRACE = {
  /** The cookie kind of every shadow flow; its low 32 bits number the shadow. */
  COOKIE_KIND: 0xfe,
  /** The group id kind of every shadow group; its low 24 bits number the shadow. */
  GROUP_KIND: 0xfe,
  /** A shadow flow's priority: this plus the real flow's (capped at 0xffff). */
  PRIORITY_BASE: 0x8000,
} as const;
