// From a validated topology to a LabPlan: every name, address, VNI and MAC of the lab made
// explicit. Pure and deterministic (the rules are documented in docs/defaults.md): the same file
// and the same used subnets always give the same plan.

import { formatPath } from './issues.ts';
import type {
  AttachmentPlan,
  ControllerPlan,
  HostPlan,
  LabPlan,
  NetworkPlan,
  PhysicalNetworkPlan,
  PortPlan,
  RouterPlan,
  SwitchPlan,
  TransportNodePlan,
} from './plan-types.ts';
import { TopologySchema, type Topology } from './schema.ts';
import { expectedText, pathIssuesFromZod } from './zod-issues.ts';
import {
  DEFAULT_CONTROLLERS,
  DEFAULT_MTU,
  DEFAULT_UNDERLAY_MTU,
  allocateVnis,
  defaultEncap,
  defaultReplication,
  portMac,
  routerInterfaceMac,
  routerUplinkMac,
} from './derive.ts';
import { validateTopology } from './validate.ts';
import {
  containerName,
  formatCidr,
  formatIp,
  isUsableHost,
  labPrefix,
  lastHost,
  normalizeMac,
  parseCidr,
  parseIp,
  portIfname,
  type Cidr,
  type SecurityGroup,
} from '../model/index.ts';
import { FIRST_NODE_OFFSET, MGMT_GATEWAY_OFFSET, PlanError, chooseSubnets, hostAt, type PlanEnv } from './subnets.ts';

export { PlanError, SUBNET_POOLS, poolStartIndex, type PlanEnv } from './subnets.ts';

/** The full plan of the lab `topology` describes; throws PlanError when it cannot be laid out. */
export function planLab(topology: Topology, env: PlanEnv = {}): LabPlan {
  const checked = TopologySchema.safeParse(topology, { error: expectedText });
  const problems = checked.success ? validateTopology(topology) : pathIssuesFromZod(TopologySchema, topology, checked.error.issues);
  if (problems.length > 0) {
    // Callers normally plan what loadTopology accepted; this guards the ones that build a topology in code.
    const lines = problems.map((p) => `  ${formatPath(p.path)}: ${p.message}`);
    throw new PlanError(`the topology is not valid:\n${lines.join('\n')}`);
  }
  const lab = topology.name;
  const subnets = chooseSubnets(topology, env);
  const attachments = attachmentOrder(topology);
  const { physical, attachmentIps } = planPhysicalNetworks(topology, subnets.physical, attachments);
  const switches = planSwitches(topology);
  const scenarios: Record<string, unknown[]> = {};
  for (const [name, steps] of Object.entries(topology.scenarios ?? {})) scenarios[name] = [...steps];
  return {
    lab,
    ...(topology.description === undefined ? {} : { description: topology.description }),
    networks: { ...planLabNetworks(topology, subnets), physical },
    controllers: planControllers(topology, subnets.mgmt),
    security: { tls: topology.security?.tls ?? true },
    transportNodes: planTransportNodes(topology, subnets, switches, attachments, attachmentIps),
    hosts: planHosts(topology, subnets.physical),
    switches,
    routers: planRouters(topology, subnets.physical),
    ...(topology['security-groups'] ? { securityGroups: planSecurityGroups(topology['security-groups']) } : {}),
    scenarios,
  };
}

type Subnets = ReturnType<typeof chooseSubnets>;
/** Where gateway nodes attach, in order: a node's k-th attachment is its k-th physical NIC. */
type Attachment = { node: string; network: string };

const physicalNetworkName = (lab: string, network: string) => `${labPrefix(lab)}-phys-${network}`;

function planLabNetworks(topology: Topology, subnets: Subnets): { mgmt: NetworkPlan; underlay: NetworkPlan } {
  const prefix = labPrefix(topology.name);
  return {
    mgmt: {
      key: 'mgmt',
      name: `${prefix}-mgmt`,
      subnet: formatCidr(subnets.mgmt),
      gateway: hostAt(subnets.mgmt, MGMT_GATEWAY_OFFSET, 'the gateway', 'management'),
      mtu: DEFAULT_MTU,
      internal: false,
    },
    underlay: {
      key: 'underlay',
      name: `${prefix}-underlay`,
      subnet: formatCidr(subnets.underlay),
      gateway: hostAt(subnets.underlay, 1, 'the gateway', 'underlay'),
      mtu: topology.underlay?.mtu ?? DEFAULT_UNDERLAY_MTU,
      internal: true,
    },
  };
}

function planControllers(topology: Topology, mgmt: Cidr): ControllerPlan {
  const spec = topology.controllers ?? {};
  if (spec.external) return { kind: 'external', targets: [...spec.external] };
  return {
    kind: 'builtin',
    members: Array.from({ length: spec.members ?? DEFAULT_CONTROLLERS }, (_, i) => ({
      name: `ctrl${i + 1}`,
      container: containerName(topology.name, `ctrl${i + 1}`),
      mgmtIp: hostAt(mgmt, MGMT_GATEWAY_OFFSET + i + 1, `controller member ctrl${i + 1}`, 'management'),
    })),
  };
}

/** Gateway nodes attach to the physical networks they serve: l2 bridges first, then uplinks. */
function attachmentOrder(topology: Topology): Attachment[] {
  const order: Attachment[] = [];
  const attach = (node: string, network: string): void => {
    if (!order.some((a) => a.node === node && a.network === network)) order.push({ node, network });
  };
  for (const sw of Object.values(topology['logical-switches'] ?? {}))
    if (sw['l2-gateway']) attach(sw['l2-gateway'].on, sw['l2-gateway'].network);
  for (const r of Object.values(topology['logical-routers'] ?? {}))
    for (const gw of r.uplink?.gateways ?? []) attach(gw, r.uplink?.network ?? '');
  return order;
}

/** Physical networks, and the address of each gateway node on each (`node/network` → ip). */
function planPhysicalNetworks(
  topology: Topology,
  cidrs: Subnets['physical'],
  attachments: readonly Attachment[],
): { physical: PhysicalNetworkPlan[]; attachmentIps: Map<string, string> } {
  const physical: PhysicalNetworkPlan[] = [];
  const attachmentIps = new Map<string, string>();
  const routers = Object.values(topology['logical-routers'] ?? {});
  for (const [netName, net] of Object.entries(topology['physical-networks'] ?? {})) {
    const cidr = cidrs.get(netName) as Cidr;
    const taken = new Set<number>();
    for (const ip of Object.values(net.hosts ?? {})) taken.add(parseIp(ip) as number);
    for (const r of routers) if (r.uplink?.network === netName) taken.add(parseIp(r.uplink.ip) as number);
    // The runtime's own address, then attached gateway nodes, from the top of the subnet down.
    let cursor = lastHost(cidr);
    const nextFree = (what: string): string => {
      while (isUsableHost(cidr, cursor) && taken.has(cursor)) cursor--;
      if (!isUsableHost(cidr, cursor)) {
        throw new PlanError(`the subnet ${formatCidr(cidr)} of physical network ${netName} is too small: no address left for ${what}`);
      }
      taken.add(cursor);
      return formatIp(cursor--);
    };
    const gateway = nextFree('the runtime gateway');
    for (const a of attachments) if (a.network === netName) attachmentIps.set(`${a.node}/${netName}`, nextFree(`gateway node ${a.node}`));
    physical.push({
      key: `phys:${netName}`,
      name: physicalNetworkName(topology.name, netName),
      subnet: formatCidr(cidr),
      gateway,
      mtu: DEFAULT_MTU,
      internal: true,
      network: netName,
      ...(net.vlan === undefined ? {} : { vlan: net.vlan }),
    });
  }
  return { physical, attachmentIps };
}

function planSwitches(topology: Topology): SwitchPlan[] {
  const vnis = allocateVnis(topology);
  return Object.entries(topology['logical-switches'] ?? {}).map(([swName, sw]) => {
    const cidr = parseCidr(sw.subnet) as Cidr;
    const vni = vnis.get(swName) as number;
    const ports: PortPlan[] = Object.entries(sw.ports ?? {}).map(([portName, port]) => ({
      name: portName,
      switch: swName,
      node: port.on,
      mac: normalizeMac(port.mac ?? portMac(swName, portName)),
      ip: port.ip,
      prefixLength: cidr.prefixLength,
      ifname: portIfname(portName),
      vni,
      ...(port['security-groups']?.length ? { securityGroups: [...port['security-groups']] } : {}),
      ...(port['port-security'] === undefined ? {} : { portSecurity: port['port-security'] }),
      ...(port.qos ? { qos: { ...port.qos } } : {}),
    }));
    const gw = sw['l2-gateway'];
    const vlan = gw ? topology['physical-networks']?.[gw.network]?.vlan : undefined;
    return {
      name: swName,
      vni,
      subnet: sw.subnet,
      replication: sw.replication ?? defaultReplication(topology),
      encap: sw.encap ?? defaultEncap(topology),
      ports,
      ...(gw ? { l2Gateway: { node: gw.on, network: gw.network, ...(vlan === undefined ? {} : { vlan }) } } : {}),
    };
  });
}

function planTransportNodes(
  topology: Topology,
  subnets: Subnets,
  switches: readonly SwitchPlan[],
  attachments: readonly Attachment[],
  attachmentIps: ReadonlyMap<string, string>,
): TransportNodePlan[] {
  const lab = topology.name;
  return Object.entries(topology['transport-nodes'] ?? {}).map(([name, node], i) => ({
    name,
    role: node.role,
    container: containerName(lab, name),
    encap: node.encap ?? defaultEncap(topology),
    mgmtIp: hostAt(subnets.mgmt, FIRST_NODE_OFFSET + i, `transport node ${name}`, 'management'),
    underlayIp: hostAt(subnets.underlay, FIRST_NODE_OFFSET + i, `transport node ${name}`, 'underlay'),
    underlayPrefixLength: subnets.underlay.prefixLength,
    // Ports in file order: switches as they come, each switch's ports as they come.
    ports: switches.flatMap((s) => s.ports.filter((p) => p.node === name)),
    attachments: attachments
      .filter((a) => a.node === name)
      .map((a): AttachmentPlan => ({
        network: a.network,
        runtimeNetwork: physicalNetworkName(lab, a.network),
        ip: attachmentIps.get(`${name}/${a.network}`) as string,
      })),
  }));
}

function planHosts(topology: Topology, cidrs: Subnets['physical']): HostPlan[] {
  return Object.entries(topology['physical-networks'] ?? {}).flatMap(([netName, net]) =>
    Object.entries(net.hosts ?? {}).map(([hostName, ip]) => ({
      name: hostName,
      container: containerName(topology.name, hostName),
      network: netName,
      runtimeNetwork: physicalNetworkName(topology.name, netName),
      ip,
      prefixLength: (cidrs.get(netName) as Cidr).prefixLength,
      ...(net.vlan === undefined ? {} : { vlan: net.vlan }),
    })),
  );
}

function planSecurityGroups(groups: NonNullable<Topology['security-groups']>): SecurityGroup[] {
  return Object.entries(groups).map(([name, rules]) => ({ name, rules: rules.map((r) => ({ ...r })) }));
}

function planRouters(topology: Topology, cidrs: Subnets['physical']): RouterPlan[] {
  return Object.entries(topology['logical-routers'] ?? {}).map(([rName, r]) => ({
    name: rName,
    distributed: r.distributed ?? true,
    interfaces: Object.entries(r.switches ?? {}).map(([swName, ip]) => ({
      switch: swName,
      ip,
      prefixLength: (parseCidr(topology['logical-switches']?.[swName]?.subnet ?? '') as Cidr).prefixLength,
      mac: routerInterfaceMac(rName, swName),
    })),
    ...(r.uplink
      ? {
          uplink: {
            network: r.uplink.network,
            ip: r.uplink.ip,
            prefixLength: (cidrs.get(r.uplink.network) as Cidr).prefixLength,
            mac: routerUplinkMac(rName),
            gateways: [...r.uplink.gateways],
            snat: r.uplink.snat ?? false,
          },
        }
      : {}),
    routes: (r.routes ?? []).map((t) => ({ prefix: t.prefix, nextHop: t['next-hop'] })),
  }));
}
