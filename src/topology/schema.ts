// The schema of a topology file (see the topology spec): the single source of truth for its shape.
// Each `error` string below is the "expected …" part of an issue; load.ts words the rest.
// Cross-references (a port's node exists and is a hypervisor, addresses fit subnets) are checked
// in validate.ts, on the typed result.

import { z } from 'zod';
import {
  CONTROLLER_SIZES,
  LAB_NAME_PATTERN,
  QosSchema,
  ROLES,
  SecurityRuleSchema,
  cidrSchema as cidr,
  encapSchema as encap,
  intIn,
  ipv4Schema as ipv4,
  isIp,
  macSchema as mac,
  nameSchema as name,
  replicationSchema as replication,
  roleSchema as role,
  vlanSchema,
  vniSchema,
} from '../model/index.ts';

const TARGET_EXPECTED = 'an OpenFlow target like tcp:192.0.2.10:6653';

const labName = z
  .string({ error: 'a lab name matching [a-z][a-z0-9-]{0,19}' })
  .regex(LAB_NAME_PATTERN, { error: 'a lab name matching [a-z][a-z0-9-]{0,19}' });
// Scenario names are not node names (steps never refer to them), so they are looser.
const SCENARIO_EXPECTED = 'a scenario name matching [A-Za-z0-9][A-Za-z0-9_.-]{0,63}';
const scenarioName = z.string({ error: SCENARIO_EXPECTED }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: SCENARIO_EXPECTED });

const openflowTarget = z.string({ error: TARGET_EXPECTED }).refine(
  (s) => {
    const m = /^tcp:([^:]+):(\d{1,5})$/.exec(s);
    return m !== null && isIp(m[1] ?? '') && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
  },
  { error: TARGET_EXPECTED },
);

// `hv1: hypervisor` is shorthand for `hv1: { role: hypervisor }`.
const TransportNodeSpecSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { role: v } : v),
  z.strictObject({ role, encap: encap.optional() }, { error: `a role (${ROLES.join(', ')}) or { role, encap }` }),
);

// `controllers: 3` and `{ members: 3 }` are the same; `{ external: [...] }` replaces the cluster.
const ControllersSpecSchema = z.preprocess(
  (v) => (typeof v === 'number' ? { members: v } : v),
  z
    .strictObject(
      {
        members: z
          .int({ error: 'a controller count: 1, 3 or 5' })
          .refine((n) => (CONTROLLER_SIZES as readonly number[]).includes(n), {
            error: 'a controller count of 1, 3 or 5: an odd count keeps a majority',
          })
          .optional(),
        external: z
          .array(openflowTarget, { error: `a list of targets like tcp:192.0.2.10:6653` })
          .min(1, {
            error: 'at least one target like tcp:192.0.2.10:6653',
          })
          .optional(),
      },
      { error: 'a controller count (1, 3 or 5), { members: N } or { external: [tcp:IP:PORT, ...] }' },
    )
    .refine((c) => c.members === undefined || c.external === undefined, {
      error: 'either members or external, not both',
    }),
);

const UnderlaySpecSchema = z.strictObject(
  { subnet: cidr.optional(), mtu: intIn(1280, 9216, 'an MTU').optional() },
  { error: 'a mapping with subnet and mtu' },
);

// Added key: `security: { tls }`. TLS on every control channel is the default (older files,
// which have no `security`, mean it too); `tls: false` keeps the channels in the clear.
const SecuritySpecSchema = z.strictObject({ tls: z.boolean({ error: 'true or false' }).optional() }, { error: 'a mapping with tls' });

const DefaultsSpecSchema = z.strictObject(
  { encap: encap.optional(), replication: replication.optional() },
  { error: 'a mapping with encap and replication' },
);

const PhysicalNetworkSpecSchema = z.strictObject(
  {
    subnet: cidr.optional(),
    vlan: vlanSchema.optional(),
    hosts: z.record(name, ipv4, { error: 'a mapping of host names to IPv4 addresses' }).optional(),
  },
  { error: 'a mapping with subnet, vlan and hosts' },
);

// Added keys: a port's security groups, port security and QoS (the API's words for them).
const PortSpecSchema = z.strictObject(
  {
    on: name,
    ip: ipv4,
    mac: mac.optional(),
    'security-groups': z.array(name, { error: 'a list of security group names' }).optional(),
    'port-security': z.boolean({ error: 'true or false' }).optional(),
    qos: QosSchema.optional(),
  },
  { error: '{ on: HYPERVISOR, ip: ADDRESS, mac?: MAC, security-groups?: [GROUP, ...], port-security?: BOOLEAN, qos?: { rate, burst? } }' },
);

const L2GatewaySpecSchema = z.strictObject({ on: name, network: name }, { error: '{ on: L2-GATEWAY-NODE, network: PHYSICAL-NETWORK }' });

const LogicalSwitchSpecSchema = z.strictObject(
  {
    vni: vniSchema.optional(),
    subnet: cidr,
    replication: replication.optional(),
    // Added key: a switch may pick its own encap (else defaults.encap).
    encap: encap.optional(),
    ports: z.record(name, PortSpecSchema, { error: 'a mapping of port names to ports' }).optional(),
    'l2-gateway': L2GatewaySpecSchema.optional(),
  },
  { error: 'a mapping with vni, subnet, replication, encap, ports and l2-gateway' },
);

const UplinkSpecSchema = z.strictObject(
  {
    network: name,
    ip: ipv4,
    gateways: z.array(name, { error: 'a list of l3-gateway nodes' }).min(1, { error: 'at least one l3-gateway node' }),
    snat: z.boolean({ error: 'true or false' }).optional(),
  },
  { error: '{ network, ip, gateways: [...], snat? }' },
);

// Added key: a static route of a router (the API's `nextHop`, spelt as the file's keys are).
const RouteSpecSchema = z.strictObject({ prefix: cidr, 'next-hop': ipv4 }, { error: '{ prefix: SUBNET, next-hop: ADDRESS }' });

const LogicalRouterSpecSchema = z.strictObject(
  {
    // Added keys: distributed (default true) and static routes.
    distributed: z.boolean({ error: 'true or false' }).optional(),
    switches: z.record(name, ipv4, { error: 'a mapping of switch names to interface addresses' }).optional(),
    uplink: UplinkSpecSchema.optional(),
    routes: z.array(RouteSpecSchema, { error: 'a list of { prefix, next-hop }' }).optional(),
  },
  { error: 'a mapping with distributed, switches, uplink and routes' },
);

export const TopologySchema = z.strictObject(
  {
    name: labName,
    description: z.string({ error: 'a text' }).optional(),
    controllers: ControllersSpecSchema.optional(),
    security: SecuritySpecSchema.optional(),
    underlay: UnderlaySpecSchema.optional(),
    defaults: DefaultsSpecSchema.optional(),
    'transport-nodes': z.record(name, TransportNodeSpecSchema, { error: 'a mapping of node names to roles' }).optional(),
    'physical-networks': z.record(name, PhysicalNetworkSpecSchema, { error: 'a mapping of network names to networks' }).optional(),
    // A rule has the API's keys (src/model's SecurityRuleSchema, its defaults included).
    'security-groups': z
      .record(name, z.array(SecurityRuleSchema, { error: 'a list of rules' }), {
        error: 'a mapping of security group names to lists of rules',
      })
      .optional(),
    'logical-switches': z.record(name, LogicalSwitchSpecSchema, { error: 'a mapping of switch names to switches' }).optional(),
    'logical-routers': z.record(name, LogicalRouterSpecSchema, { error: 'a mapping of router names to routers' }).optional(),
    // Steps are parsed by the scenario module; here each scenario only has to be a list.
    scenarios: z
      .record(scenarioName, z.array(z.unknown(), { error: 'a list of steps' }), { error: 'a mapping of scenario names to step lists' })
      .optional(),
  },
  { error: 'a topology mapping' },
);

export type Topology = z.infer<typeof TopologySchema>;
export type TransportNodeSpec = z.infer<typeof TransportNodeSpecSchema>;
export type ControllersSpec = z.infer<typeof ControllersSpecSchema>;
export type SecuritySpec = z.infer<typeof SecuritySpecSchema>;
export type PhysicalNetworkSpec = z.infer<typeof PhysicalNetworkSpecSchema>;
export type LogicalSwitchSpec = z.infer<typeof LogicalSwitchSpecSchema>;
export type PortSpec = z.infer<typeof PortSpecSchema>;
export type LogicalRouterSpec = z.infer<typeof LogicalRouterSpecSchema>;
export type UplinkSpec = z.infer<typeof UplinkSpecSchema>;
export type RouteSpec = z.infer<typeof RouteSpecSchema>;
