// The northbound API's resources as zod schemas: the single source of truth for what a transport
// node, a logical switch, a logical port, a logical router, a security group and a learned MAC binding are. The controller's store
// validates every write with them, the API builds its request bodies and OpenAPI document from
// them, and the lab runner's client sends what they describe.
import { z } from 'zod';
import {
  cidrSchema,
  directionSchema,
  encapSchema,
  ifaceCidrSchema,
  ipv4Schema,
  macSchema,
  nameSchema,
  nicSchema,
  portRangeSchema,
  rateSchema,
  remoteSchema,
  replicationSchema,
  roleSchema,
  ruleActionSchema,
  ruleProtocolSchema,
  vlanSchema,
  vniSchema,
} from './fields.ts';
import { overlaps, parseCidr, parseIfaceCidr, type Cidr } from './ipv4.ts';
import { routeIssues } from './router-routes.ts';
import { DEFAULT_ENCAP, DEFAULT_REPLICATION, DEFAULT_ROLE } from './vocabulary.ts';

export const TransportNodeSchema = z.strictObject({
  name: nameSchema,
  role: roleSchema.default(DEFAULT_ROLE),
  encap: encapSchema.default(DEFAULT_ENCAP),
  underlayIp: ipv4Schema,
  underlayMac: macSchema.optional(),
  mgmtIp: ipv4Schema.optional(),
});

/** A switch bridged onto a physical network: the gateway node, the network, its 802.1Q tag
 *  (absent: untagged) and the gateway's NIC on that network. */
export const L2GatewaySchema = z.strictObject({
  node: nameSchema,
  network: nameSchema,
  vlan: vlanSchema.optional(),
  nic: nicSchema,
});

export const LogicalSwitchSchema = z.strictObject({
  name: nameSchema,
  vni: vniSchema,
  replication: replicationSchema.default(DEFAULT_REPLICATION),
  encap: encapSchema.default(DEFAULT_ENCAP),
  subnet: cidrSchema.optional(),
  l2Gateway: L2GatewaySchema.optional(),
});

/** One rule of a security group (docs/topology.md, "Security groups"). */
export const SecurityRuleSchema = z
  .strictObject({
    direction: directionSchema,
    protocol: ruleProtocolSchema.default('any'),
    /** TCP and UDP only: one port or a range `A-B` (absent: every port). */
    ports: portRangeSchema.optional(),
    /** A subnet, or a group's name: the addresses of its ports, as they come and go. */
    remote: remoteSchema.default('0.0.0.0/0'),
    action: ruleActionSchema.default('allow'),
  })
  .superRefine((r, ctx) => {
    if (r.ports !== undefined && r.protocol !== 'tcp' && r.protocol !== 'udp')
      ctx.addIssue({ code: 'custom', path: ['ports'], message: `ports apply to tcp and udp only, not ${r.protocol}` });
  });

/** A named group of rules that ports join; its rules apply to each of its ports. */
export const SecurityGroupSchema = z.strictObject({
  name: nameSchema,
  rules: z.array(SecurityRuleSchema, { error: 'a list of rules' }).default([]),
});

/** What a port may send: its rate and the burst above it (absent: 0.4 s of the rate). */
export const QosSchema = z.strictObject({
  rate: rateSchema,
  burst: rateSchema.optional(),
});

const uniqueNames = (names: readonly string[] | undefined, ctx: z.RefinementCtx) =>
  names?.forEach((n, i) => {
    if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['securityGroups', i], message: `${n} is listed twice` });
  });

// The MAC is required: the lab runner derives it (the store does not allocate addresses).
const LogicalPortObject = z.strictObject({
  name: nameSchema,
  switch: nameSchema,
  mac: macSchema,
  ip: ipv4Schema.optional(),
  node: nameSchema.optional(),
  /** The security groups it is in (absent or empty: open, as a port without groups always was). */
  securityGroups: z.array(nameSchema, { error: 'a list of security group names' }).optional(),
  /** Drop what it sends from another MAC or IP (absent: on when it is in a group). */
  portSecurity: z.boolean({ error: 'true or false' }).optional(),
  qos: QosSchema.optional(),
});

/** A port's groups in one spelling: sorted, and an empty list is no list (the store keeps them
 *  as a set, so a port reads back as it was written). */
function canonicalGroups<P extends { securityGroups?: string[] | undefined }>(p: P): P {
  if (p.securityGroups === undefined) return p;
  if (p.securityGroups.length > 0) return { ...p, securityGroups: [...p.securityGroups].sort() };
  const { securityGroups: _none, ...rest } = p;
  return rest as P;
}

export const LogicalPortSchema = LogicalPortObject.superRefine((p, ctx) => uniqueNames(p.securityGroups, ctx)).overwrite(canonicalGroups);

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

/** A static route: what goes to `prefix` is sent to `nextHop`, an address on one of the
 *  router's networks (an interface's subnet, or the uplink's). */
export const RouterRouteSchema = z.strictObject({
  prefix: cidrSchema,
  nextHop: ipv4Schema,
});

const LogicalRouterObject = z.strictObject({
  name: nameSchema,
  /** East-west routing on every node that carries one of its switches (NVP 3.1, OVN); false:
   *  routed only in its namespace on its L3 gateways. */
  distributed: z.boolean({ error: 'true or false' }).default(true),
  interfaces: z.array(RouterInterfaceSchema, { error: 'a list of { switch, ip, mac }' }).default([]),
  uplink: RouterUplinkSchema.optional(),
  routes: z.array(RouterRouteSchema, { error: 'a list of { prefix, nextHop }' }).default([]),
});

type RouterShape = {
  interfaces?: { switch: string; ip: string }[];
  uplink?: { ip: string; gateways: { node: string }[] };
  routes?: { prefix: string; nextHop: string }[];
};

/** One of a router's networks: where it is written, its address with prefix and its subnet. */
interface RouterNet {
  path: (string | number)[];
  text: string;
  cidr: Cidr;
}

/** What a single router must hold together: one interface per switch, each gateway once, subnets
 *  that do not overlap (its routing table could not tell them apart), routes it can follow. */
function checkRouter(r: RouterShape, ctx: z.RefinementCtx): void {
  const seenSwitch = new Set<string>();
  const nets: RouterNet[] = [];
  const addNet = (path: (string | number)[], text: string) => {
    const cidr = parseIfaceCidr(text) && parseCidr(text, false);
    if (cidr) nets.push({ path, text, cidr });
  };
  (r.interfaces ?? []).forEach((i, k) => {
    if (seenSwitch.has(i.switch))
      ctx.addIssue({
        code: 'custom',
        path: ['interfaces', k, 'switch'],
        message: `a second interface on switch ${i.switch} (one per switch)`,
      });
    seenSwitch.add(i.switch);
    addNet(['interfaces', k, 'ip'], i.ip);
  });
  const up = r.uplink;
  if (up) {
    addNet(['uplink', 'ip'], up.ip);
    const seenNode = new Set<string>();
    up.gateways.forEach((g, k) => {
      if (seenNode.has(g.node))
        ctx.addIssue({ code: 'custom', path: ['uplink', 'gateways', k, 'node'], message: `gateway ${g.node} is listed twice` });
      seenNode.add(g.node);
    });
  }
  nets.forEach((a, k) => {
    const b = nets.slice(0, k).find((o) => overlaps(a.cidr, o.cidr));
    if (b)
      ctx.addIssue({
        code: 'custom',
        path: a.path,
        message: `${a.text} overlaps ${b.text} (${b.path.join('.')}): a router's subnets must not overlap`,
      });
  });
  const networks = nets.map((n) => ({ ip: n.text, name: n.path.join('.') }));
  for (const i of routeIssues(r.routes ?? [], networks, { place: (k) => `routes.${k}` }))
    ctx.addIssue({ code: 'custom', path: ['routes', i.index, i.field], message: i.message });
}

export const LogicalRouterSchema = LogicalRouterObject.superRefine(checkRouter);

/** An address a distributed router learned on one of its switches (an ARP reply to the router's
 *  address), OVN's MAC_Binding: how routers reach a host no logical port has (behind an L2
 *  gateway). Learned by the members, never written through the API (only listed and forgotten). */
export const MacBindingSchema = z.strictObject({
  switch: nameSchema,
  ip: ipv4Schema,
  mac: macSchema,
});

// PUT replaces the whole object; the name comes from the URL (a body may repeat it, unchanged).
export const TransportNodeUpdateSchema = TransportNodeSchema.partial({ name: true });
export const LogicalSwitchUpdateSchema = LogicalSwitchSchema.partial({ name: true });
export const LogicalPortUpdateSchema = LogicalPortObject.partial({ name: true })
  .superRefine((p, ctx) => uniqueNames(p.securityGroups, ctx))
  .overwrite(canonicalGroups);
export const SecurityGroupUpdateSchema = SecurityGroupSchema.partial({ name: true });
// A router's cross-field checks must wrap the partial object.
export const LogicalRouterUpdateSchema = LogicalRouterObject.partial({ name: true }).superRefine(checkRouter);

export type TransportNode = z.output<typeof TransportNodeSchema>;
export type LogicalSwitch = z.output<typeof LogicalSwitchSchema>;
export type LogicalPort = z.output<typeof LogicalPortSchema>;
export type LogicalRouter = z.output<typeof LogicalRouterSchema>;
export type SecurityGroup = z.output<typeof SecurityGroupSchema>;
export type SecurityRule = z.output<typeof SecurityRuleSchema>;
export type Qos = z.output<typeof QosSchema>;
export type L2Gateway = z.output<typeof L2GatewaySchema>;
export type RouterInterface = z.output<typeof RouterInterfaceSchema>;
export type RouterUplink = z.output<typeof RouterUplinkSchema>;
export type RouterGateway = z.output<typeof RouterGatewaySchema>;
export type RouterRoute = z.output<typeof RouterRouteSchema>;
export type MacBinding = z.output<typeof MacBindingSchema>;
export type TransportNodeInput = z.input<typeof TransportNodeSchema>;
export type LogicalSwitchInput = z.input<typeof LogicalSwitchSchema>;
export type LogicalPortInput = z.input<typeof LogicalPortSchema>;
export type LogicalRouterInput = z.input<typeof LogicalRouterSchema>;
export type SecurityGroupInput = z.input<typeof SecurityGroupSchema>;
