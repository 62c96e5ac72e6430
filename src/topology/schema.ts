// The schema of a topology file (see the topology spec): the single source of truth for its shape.
// Each `error` string below is the "expected …" part of an issue; load.ts words the rest.
// Cross-references (a port's node exists and is a hypervisor, addresses fit subnets) are checked
// in validate.ts, on the typed result.

import { z } from 'zod';
import { ENCAPS, REPLICATIONS, ROLES } from './plan-types.ts';
import { isIp, parseCidr } from './ipv4.ts';

export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;
export const LAB_NAME_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;
export const MAX_VNI = 16_777_215;
export const CONTROLLER_SIZES = [1, 3, 5] as const;

const NAME_EXPECTED = 'a name matching [a-z][a-z0-9-]{0,30}';
const IP_EXPECTED = 'an IPv4 address like 10.0.1.11';
const CIDR_EXPECTED = 'an IPv4 subnet like 10.0.1.0/24, host bits zero';
const MAC_EXPECTED = 'a unicast MAC address like 02:00:00:00:01:13';
const TARGET_EXPECTED = 'an OpenFlow target like tcp:192.0.2.10:6653';

const name = z.string({ error: NAME_EXPECTED }).regex(NAME_PATTERN, { error: NAME_EXPECTED });
const labName = z
  .string({ error: 'a lab name matching [a-z][a-z0-9-]{0,19}' })
  .regex(LAB_NAME_PATTERN, { error: 'a lab name matching [a-z][a-z0-9-]{0,19}' });
// Scenario names are not node names (steps never refer to them), so they are looser.
const SCENARIO_EXPECTED = 'a scenario name matching [A-Za-z0-9][A-Za-z0-9_.-]{0,63}';
const scenarioName = z
  .string({ error: SCENARIO_EXPECTED })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: SCENARIO_EXPECTED });
const ipv4 = z.string({ error: IP_EXPECTED }).refine(isIp, { error: IP_EXPECTED });
const cidr = z.string({ error: CIDR_EXPECTED }).refine((s) => parseCidr(s) !== undefined, { error: CIDR_EXPECTED });

const MAC_PATTERN = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
// A group (multicast) MAC on a VM would break learning and flooding rules.
const mac = z
  .string({ error: MAC_EXPECTED })
  .regex(MAC_PATTERN, { error: MAC_EXPECTED })
  .refine((s) => (parseInt(s.slice(0, 2), 16) & 1) === 0, { error: MAC_EXPECTED });

function intIn(min: number, max: number, what: string) {
  const expected = `${what} from ${min} to ${max}`;
  return z.int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

const role = z.enum(ROLES, { error: `a role: ${ROLES.join(', ')}` });
const encap = z.enum(ENCAPS, { error: `an encap: ${ENCAPS.join(', ')}` });
const replication = z.enum(REPLICATIONS, { error: `a replication mode: ${REPLICATIONS.join(', ')}` });

const openflowTarget = z
  .string({ error: TARGET_EXPECTED })
  .refine(
    (s) => {
      const m = /^tcp:([^:]+):(\d{1,5})$/.exec(s);
      return m !== null && isIp(m[1] ?? '') && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
    },
    { error: TARGET_EXPECTED },
  );

// `hv1: hypervisor` is shorthand for `hv1: { role: hypervisor }`.
export const TransportNodeSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { role: v } : v),
  z.strictObject(
    { role, encap: encap.optional() },
    { error: `a role (${ROLES.join(', ')}) or { role, encap }` },
  ),
);

// `controllers: 3` and `{ members: 3 }` are the same; `{ external: [...] }` replaces the cluster.
export const ControllersSchema = z.preprocess(
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
        external: z.array(openflowTarget, { error: `a list of targets like tcp:192.0.2.10:6653` }).min(1, {
          error: 'at least one target like tcp:192.0.2.10:6653',
        }).optional(),
      },
      { error: 'a controller count (1, 3 or 5), { members: N } or { external: [tcp:IP:PORT, ...] }' },
    )
    .refine((c) => c.members === undefined || c.external === undefined, {
      error: 'either members or external, not both',
    }),
);

export const UnderlaySchema = z.strictObject(
  { subnet: cidr.optional(), mtu: intIn(1280, 9216, 'an MTU').optional() },
  { error: 'a mapping with subnet and mtu' },
);

export const DefaultsSchema = z.strictObject(
  { encap: encap.optional(), replication: replication.optional() },
  { error: 'a mapping with encap and replication' },
);

export const PhysicalNetworkSchema = z.strictObject(
  {
    subnet: cidr.optional(),
    vlan: intIn(1, 4094, 'a VLAN').optional(),
    hosts: z.record(name, ipv4, { error: 'a mapping of host names to IPv4 addresses' }).optional(),
  },
  { error: 'a mapping with subnet, vlan and hosts' },
);

export const PortSchema = z.strictObject(
  { on: name, ip: ipv4, mac: mac.optional() },
  { error: '{ on: HYPERVISOR, ip: ADDRESS, mac?: MAC }' },
);

export const L2GatewaySchema = z.strictObject(
  { on: name, network: name },
  { error: '{ on: L2-GATEWAY-NODE, network: PHYSICAL-NETWORK }' },
);

export const LogicalSwitchSchema = z.strictObject(
  {
    vni: intIn(1, MAX_VNI, 'a VNI').optional(),
    subnet: cidr,
    replication: replication.optional(),
    // Added key: a switch may pick its own encap (else defaults.encap).
    encap: encap.optional(),
    ports: z.record(name, PortSchema, { error: 'a mapping of port names to ports' }).optional(),
    'l2-gateway': L2GatewaySchema.optional(),
  },
  { error: 'a mapping with vni, subnet, replication, encap, ports and l2-gateway' },
);

export const UplinkSchema = z.strictObject(
  {
    network: name,
    ip: ipv4,
    gateways: z.array(name, { error: 'a list of l3-gateway nodes' }).min(1, { error: 'at least one l3-gateway node' }),
    snat: z.boolean({ error: 'true or false' }).optional(),
  },
  { error: '{ network, ip, gateways: [...], snat? }' },
);

export const LogicalRouterSchema = z.strictObject(
  {
    switches: z.record(name, ipv4, { error: 'a mapping of switch names to interface addresses' }).optional(),
    uplink: UplinkSchema.optional(),
  },
  { error: 'a mapping with switches and uplink' },
);

export const TopologySchema = z.strictObject(
  {
    name: labName,
    description: z.string({ error: 'a text' }).optional(),
    controllers: ControllersSchema.optional(),
    underlay: UnderlaySchema.optional(),
    defaults: DefaultsSchema.optional(),
    'transport-nodes': z
      .record(name, TransportNodeSchema, { error: 'a mapping of node names to roles' })
      .optional(),
    'physical-networks': z
      .record(name, PhysicalNetworkSchema, { error: 'a mapping of network names to networks' })
      .optional(),
    'logical-switches': z
      .record(name, LogicalSwitchSchema, { error: 'a mapping of switch names to switches' })
      .optional(),
    'logical-routers': z
      .record(name, LogicalRouterSchema, { error: 'a mapping of router names to routers' })
      .optional(),
    // Steps are parsed by the scenario module; here each scenario only has to be a list.
    scenarios: z
      .record(scenarioName, z.array(z.unknown(), { error: 'a list of steps' }), { error: 'a mapping of scenario names to step lists' })
      .optional(),
  },
  { error: 'a topology mapping' },
);

export type Topology = z.infer<typeof TopologySchema>;
export type TransportNodeSpec = z.infer<typeof TransportNodeSchema>;
export type ControllersSpec = z.infer<typeof ControllersSchema>;
export type PhysicalNetworkSpec = z.infer<typeof PhysicalNetworkSchema>;
export type LogicalSwitchSpec = z.infer<typeof LogicalSwitchSchema>;
export type PortSpec = z.infer<typeof PortSchema>;
export type LogicalRouterSpec = z.infer<typeof LogicalRouterSchema>;
export type UplinkSpec = z.infer<typeof UplinkSchema>;
