// The store's objects as zod schemas: the single source of truth for what a transport node, a
// logical switch, a logical port and a logical router are. The Store validates every write with them and the
// northbound API builds its request bodies and OpenAPI document from them.
// Constants mirror src/topology (same names, patterns, defaults); they are kept local so the
// controller bundle does not pull in the topology layer.
import { z } from 'zod';

export const ROLES = ['hypervisor', 'service-node', 'l2-gateway', 'l3-gateway'] as const;
export const ENCAPS = ['geneve', 'vxlan', 'gre'] as const;
export const REPLICATIONS = ['source', 'service-node'] as const;
export const MAX_VNI = 16_777_215;
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

export type Role = (typeof ROLES)[number];
export type Encap = (typeof ENCAPS)[number];
export type Replication = (typeof REPLICATIONS)[number];

const NAME_EXPECTED = 'a name matching [a-z][a-z0-9-]{0,30}';
const IP_EXPECTED = 'an IPv4 address like 10.0.1.11';
const CIDR_EXPECTED = 'an IPv4 subnet like 10.0.1.0/24, host bits zero';
const MAC_EXPECTED = 'a unicast MAC address like 02:00:00:00:01:13';

/** Dotted-quad IPv4 to a 32-bit number, or undefined. */
export function ipv4ToNumber(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const b = Number(part);
    if (b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

function isCidr(s: string): boolean {
  const [ip, len, ...rest] = s.split('/');
  if (rest.length > 0 || ip === undefined || len === undefined || !/^\d{1,2}$/.test(len)) return false;
  const n = ipv4ToNumber(ip);
  const bits = Number(len);
  if (n === undefined || bits > 32) return false;
  const hostBits = 32 - bits;
  return hostBits === 0 || n % 2 ** hostBits === 0;
}

export const nameSchema = z.string({ error: NAME_EXPECTED }).regex(NAME_PATTERN, { error: NAME_EXPECTED });
export const ipv4Schema = z.string({ error: IP_EXPECTED }).refine((s) => ipv4ToNumber(s) !== undefined, { error: IP_EXPECTED });
export const cidrSchema = z.string({ error: CIDR_EXPECTED }).refine(isCidr, { error: CIDR_EXPECTED });
// Lower-cased so that the store's (switch, mac) index sees one spelling per address; a group
// (multicast) MAC on a port would break flooding rules.
export const macSchema = z
  .string({ error: MAC_EXPECTED })
  .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, { error: MAC_EXPECTED })
  .refine((s) => (parseInt(s.slice(0, 2), 16) & 1) === 0, { error: MAC_EXPECTED })
  .toLowerCase();
export const vniSchema = z
  .int({ error: `a VNI from 1 to ${MAX_VNI}` })
  .min(1, { error: `a VNI from 1 to ${MAX_VNI}` })
  .max(MAX_VNI, { error: `a VNI from 1 to ${MAX_VNI}` });
export const roleSchema = z.enum(ROLES, { error: `a role: ${ROLES.join(', ')}` });
export const encapSchema = z.enum(ENCAPS, { error: `an encap: ${ENCAPS.join(', ')}` });
export const replicationSchema = z.enum(REPLICATIONS, { error: `a replication mode: ${REPLICATIONS.join(', ')}` });

// Defaults follow docs/defaults.md: role hypervisor, encap geneve, replication source.
export const TransportNodeSchema = z.strictObject({
  name: nameSchema,
  role: roleSchema.default('hypervisor'),
  encap: encapSchema.default('geneve'),
  underlayIp: ipv4Schema,
  underlayMac: macSchema.optional(),
  mgmtIp: ipv4Schema.optional(),
});

const NIC_EXPECTED = 'an interface name like eth2 (1 to 15 characters, no / or spaces)';
const VLAN_EXPECTED = 'a VLAN id from 1 to 4094';
const nicSchema = z.string({ error: NIC_EXPECTED }).regex(/^[A-Za-z0-9_.:-]{1,15}$/, { error: NIC_EXPECTED });

/** A switch bridged onto a physical network: the gateway node, the network, its 802.1Q tag
 *  (absent: untagged) and the gateway's NIC on that network. */
export const L2GatewaySchema = z.strictObject({
  node: nameSchema,
  network: nameSchema,
  vlan: z.int({ error: VLAN_EXPECTED }).min(1, { error: VLAN_EXPECTED }).max(4094, { error: VLAN_EXPECTED }).optional(),
  nic: nicSchema,
});

export const LogicalSwitchSchema = z.strictObject({
  name: nameSchema,
  vni: vniSchema,
  replication: replicationSchema.default('source'),
  encap: encapSchema.default('geneve'),
  subnet: cidrSchema.optional(),
  l2Gateway: L2GatewaySchema.optional(),
});

// The MAC is required: the lab runner derives it (the store does not allocate addresses).
export const LogicalPortSchema = z.strictObject({
  name: nameSchema,
  switch: nameSchema,
  mac: macSchema,
  ip: ipv4Schema.optional(),
  node: nameSchema.optional(),
});

const IFACE_EXPECTED = 'an IPv4 address with its prefix length like 10.0.1.1/24, not the subnet or broadcast address';

/** "a.b.c.d/len" as a number and a length, or undefined. */
export function parseIfaceCidr(s: string): { ip: number; prefix: number } | undefined {
  const [ip, len, ...rest] = s.split('/');
  if (rest.length > 0 || ip === undefined || len === undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const n = ipv4ToNumber(ip);
  const prefix = Number(len);
  if (n === undefined || prefix < 1 || prefix > 32) return undefined;
  // With 2 or more host bits, the all-zero and all-one host parts name the subnet and its broadcast.
  const size = 2 ** (32 - prefix);
  if (size >= 4 && (n % size === 0 || n % size === size - 1)) return undefined;
  return { ip: n, prefix };
}

/** An interface address: the address and the prefix length of its subnet. */
export const ifaceCidrSchema = z.string({ error: IFACE_EXPECTED }).refine((s) => parseIfaceCidr(s) !== undefined, { error: IFACE_EXPECTED });

/** A router's interface on a logical switch: it is a port of that switch with this MAC. */
export const RouterInterfaceSchema = z.strictObject({
  switch: nameSchema,
  ip: ifaceCidrSchema,
  mac: macSchema,
});

/** An l3-gateway that can host the router, and its NIC on the uplink's physical network. */
export const RouterGatewaySchema = z.strictObject({
  node: nameSchema,
  nic: nicSchema,
});

/** The uplink to a physical network; `gateways` in priority order, the first preferred. */
export const RouterUplinkSchema = z.strictObject({
  network: nameSchema,
  ip: ifaceCidrSchema,
  mac: macSchema,
  snat: z.boolean({ error: 'true or false' }).default(false),
  gateways: z.array(RouterGatewaySchema, { error: 'a list of { node, nic }' }).min(1, { error: 'at least one l3-gateway' }),
});

const LogicalRouterObject = z.strictObject({
  name: nameSchema,
  interfaces: z.array(RouterInterfaceSchema, { error: 'a list of { switch, ip, mac }' }).default([]),
  uplink: RouterUplinkSchema.optional(),
});

type RouterShape = { interfaces?: { switch: string; ip: string }[]; uplink?: { ip: string; gateways: { node: string }[] } };

/** What a single router must hold together: one interface per switch, each gateway once, subnets
 *  that do not overlap (its kernel routing table could not tell them apart). */
function checkRouter(r: RouterShape, ctx: z.RefinementCtx): void {
  const seenSwitch = new Map<string, number>();
  const nets: { path: (string | number)[]; text: string; net: number; prefix: number }[] = [];
  (r.interfaces ?? []).forEach((i, k) => {
    if (seenSwitch.has(i.switch)) ctx.addIssue({ code: 'custom', path: ['interfaces', k, 'switch'], message: `a second interface on switch ${i.switch} (one per switch)` });
    seenSwitch.set(i.switch, k);
    const c = parseIfaceCidr(i.ip);
    if (c) nets.push({ path: ['interfaces', k, 'ip'], text: i.ip, net: c.ip - (c.ip % 2 ** (32 - c.prefix)), prefix: c.prefix });
  });
  const up = r.uplink;
  if (up) {
    const c = parseIfaceCidr(up.ip);
    if (c) nets.push({ path: ['uplink', 'ip'], text: up.ip, net: c.ip - (c.ip % 2 ** (32 - c.prefix)), prefix: c.prefix });
    const seenNode = new Set<string>();
    up.gateways.forEach((g, k) => {
      if (seenNode.has(g.node)) ctx.addIssue({ code: 'custom', path: ['uplink', 'gateways', k, 'node'], message: `gateway ${g.node} is listed twice` });
      seenNode.add(g.node);
    });
  }
  nets.forEach((a, k) => {
    const b = nets.slice(0, k).find((o) => {
      const p = Math.min(a.prefix, o.prefix);
      const size = 2 ** (32 - p);
      return Math.floor(a.net / size) === Math.floor(o.net / size);
    });
    if (b) ctx.addIssue({ code: 'custom', path: a.path, message: `${a.text} overlaps ${b.text} (${b.path.join('.')}): a router's subnets must not overlap` });
  });
}

export const LogicalRouterSchema = LogicalRouterObject.superRefine(checkRouter);
/** PUT body: the name comes from the URL. */
export const LogicalRouterUpdateSchema = LogicalRouterObject.partial({ name: true }).superRefine(checkRouter);

export type TransportNode = z.output<typeof TransportNodeSchema>;
export type LogicalSwitch = z.output<typeof LogicalSwitchSchema>;
export type LogicalPort = z.output<typeof LogicalPortSchema>;
export type L2Gateway = z.output<typeof L2GatewaySchema>;
export type TransportNodeInput = z.input<typeof TransportNodeSchema>;
export type LogicalSwitchInput = z.input<typeof LogicalSwitchSchema>;
export type LogicalPortInput = z.input<typeof LogicalPortSchema>;
export type LogicalRouter = z.output<typeof LogicalRouterSchema>;
export type LogicalRouterInput = z.input<typeof LogicalRouterSchema>;
export type RouterInterface = z.output<typeof RouterInterfaceSchema>;
export type RouterUplink = z.output<typeof RouterUplinkSchema>;
export type RouterGateway = z.output<typeof RouterGatewaySchema>;

/**
 * What the pipeline computes from (shape of src/controller/pipeline/types.ts `LogicalState`;
 * declared here until the two are unified).
 */
export interface LogicalState {
  nodes: { name: string; role: Role; encap: Encap; underlayIp: string; underlayMac?: string }[];
  switches: { name: string; vni: number; replication: Replication; encap: Encap; l2Gateway?: { node: string; vlan?: number; nic: string } }[];
  ports: { name: string; switch: string; mac: string; ip?: string; node?: string }[];
  /** Gateways in priority order (the uplink's); interfaces as given. */
  routers: { name: string; interfaces: { switch: string; mac: string }[]; uplink?: { mac: string; gateways: { node: string; nic: string }[] } }[];
}

/** A controller member's heartbeat lease. */
export interface MemberLease {
  name: string;
  /** Lease end, ms since the epoch. */
  expires: number;
}

export interface Mastership {
  node: string;
  member: string;
  generation: number;
}
