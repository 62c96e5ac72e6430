// From a validated topology to a LabPlan: every name, address, VNI and MAC of the lab made
// explicit. Pure and deterministic (the rules are documented in docs/defaults.md): the same file
// and the same used subnets always give the same plan.

import { createHash } from 'node:crypto';
import { NvlabError } from '../util/errors.ts';
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
import { DEFAULT_CONTROLLERS, DEFAULT_MTU, DEFAULT_UNDERLAY_MTU, allocateVnis, defaultEncap, defaultReplication, portMac, routerInterfaceMac, routerUplinkMac } from './derive.ts';
import { validateTopology } from './validate.ts';
import { formatCidr, formatIp, isUsableHost, lastHost, nthHost, overlaps, parseCidr, parseIp, type Cidr, normalizeMac, portIfname } from '../model/index.ts';
import { containerName, labPrefix } from '../model/index.ts';

/** A subnet already taken outside this lab (another lab, a Docker network of the host). */
export interface UsedSubnet {
  subnet: string;
  /** Who holds it, named in errors: e.g. a Docker network name. */
  owner: string;
}

export interface PlanEnv {
  usedSubnets?: UsedSubnet[];
}

/** The topology is valid but cannot be laid out here (subnets taken or too small). Exit code 2. */
export class PlanError extends NvlabError {
  declare readonly code: 'PLAN';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('PLAN', message, { ...options, exitCode: 2 });
  }
}

/** Pools for subnets a file leaves out; each lab takes /24s from them. */
export const SUBNET_POOLS = {
  underlay: '172.30.0.0/16',
  mgmt: '172.31.0.0/16',
  physical: '172.29.0.0/16',
} as const;

/** Offsets inside the management and underlay subnets. */
export const MGMT_GATEWAY_OFFSET = 1;
export const FIRST_NODE_OFFSET = 10;

/** Index of the /24 a lab tries first in each pool: spreads labs so they rarely probe. */
export function poolStartIndex(lab: string): number {
  return createHash('sha256').update(lab).digest()[0] ?? 0;
}

interface Claimed {
  cidr: Cidr;
  owner: string;
}

// Finds the first free /24 of `pool` from the lab's start index upward, wrapping.
function allocate(pool: string, start: number, taken: readonly Claimed[], what: string): Cidr {
  const base = parseCidr(pool) as Cidr;
  const count = 2 ** (24 - base.prefixLength);
  for (let i = 0; i < count; i++) {
    const cidr = { network: base.network + ((start + i) % count) * 256, prefixLength: 24 };
    if (!taken.some((t) => overlaps(t.cidr, cidr))) return cidr;
  }
  throw new PlanError(`no free /24 left in ${pool} for the ${what}; remove unused labs or give the subnet in the file`);
}

function mustParse(subnet: string, owner: string): Cidr {
  const cidr = parseCidr(subnet, false);
  if (!cidr) throw new PlanError(`${owner} has ${subnet}, which is not an IPv4 subnet`);
  return cidr;
}

// Explicit subnets first (they must be free), then pooled ones around them.
function chooseSubnets(topology: Topology, env: PlanEnv): { underlay: Cidr; mgmt: Cidr; physical: Map<string, Cidr> } {
  const lab = topology.name;
  // Used subnets come from the machine, not the user: entries that are not IPv4 (an IPv6
  // network, a mapped address) cannot clash with ours and are skipped rather than fatal.
  const used: Claimed[] = (env.usedSubnets ?? []).flatMap((u) => {
    const cidr = parseCidr(u.subnet, false);
    return cidr ? [{ cidr, owner: u.owner }] : [];
  });
  const chosen: Claimed[] = [];
  const claim = (cidr: Cidr, owner: string): Cidr => {
    for (const other of [...chosen, ...used]) {
      if (overlaps(other.cidr, cidr)) {
        const by = chosen.includes(other) ? `the ${other.owner} of this lab` : other.owner;
        throw new PlanError(`the ${owner} subnet ${formatCidr(cidr)} overlaps ${formatCidr(other.cidr)}, used by ${by}`);
      }
    }
    chosen.push({ cidr, owner });
    return cidr;
  };
  const nets = Object.entries(topology['physical-networks'] ?? {});
  const explicitUnderlay = topology.underlay?.subnet;
  const underlayExplicit = explicitUnderlay === undefined ? undefined : claim(mustParse(explicitUnderlay, 'underlay'), 'underlay');
  const physical = new Map<string, Cidr>();
  for (const [name, net] of nets) {
    if (net.subnet !== undefined) physical.set(name, claim(mustParse(net.subnet, `physical network ${name}`), `physical network ${name}`));
  }
  const start = poolStartIndex(lab);
  const pooled = (pool: string, owner: string): Cidr => claim(allocate(pool, start, [...chosen, ...used], owner), owner);
  const underlay = underlayExplicit ?? pooled(SUBNET_POOLS.underlay, 'underlay');
  const mgmt = pooled(SUBNET_POOLS.mgmt, 'management network');
  for (const [name] of nets) {
    if (!physical.has(name)) physical.set(name, pooled(SUBNET_POOLS.physical, `physical network ${name}`));
  }
  // Keep file order in the map.
  return { underlay, mgmt, physical: new Map(nets.map(([name]) => [name, physical.get(name) as Cidr])) };
}

// The address `offset` hosts after the network address, or a PlanError naming what did not fit.
function hostAt(cidr: Cidr, offset: number, what: string, network: string): string {
  const ip = nthHost(cidr, offset);
  if (ip === undefined) {
    throw new PlanError(`the ${network} subnet ${formatCidr(cidr)} is too small: ${what} needs .${offset} from the network address`);
  }
  return formatIp(ip);
}

/** The full plan of the lab `topology` describes; throws PlanError when it cannot be laid out. */
export function planLab(topology: Topology, env: PlanEnv = {}): LabPlan {
  const checked = TopologySchema.safeParse(topology, { error: expectedText });
  const problems = checked.success
    ? validateTopology(topology)
    : pathIssuesFromZod(TopologySchema, topology, checked.error.issues);
  if (problems.length > 0) {
    // Callers normally plan what loadTopology accepted; this guards the ones that build a topology in code.
    const lines = problems.map((p) => `  ${formatPath(p.path)}: ${p.message}`);
    throw new PlanError(`the topology is not valid:\n${lines.join('\n')}`);
  }
  const lab = topology.name;
  const prefix = labPrefix(lab);
  const subnets = chooseSubnets(topology, env);
  const nodeEntries = Object.entries(topology['transport-nodes'] ?? {});
  const netEntries = Object.entries(topology['physical-networks'] ?? {});
  const switchEntries = Object.entries(topology['logical-switches'] ?? {});
  const routerEntries = Object.entries(topology['logical-routers'] ?? {});

  const mgmt: NetworkPlan = {
    key: 'mgmt',
    name: `${prefix}-mgmt`,
    subnet: formatCidr(subnets.mgmt),
    gateway: hostAt(subnets.mgmt, MGMT_GATEWAY_OFFSET, 'the gateway', 'management'),
    mtu: DEFAULT_MTU,
    internal: false,
  };
  const underlay: NetworkPlan = {
    key: 'underlay',
    name: `${prefix}-underlay`,
    subnet: formatCidr(subnets.underlay),
    gateway: hostAt(subnets.underlay, 1, 'the gateway', 'underlay'),
    mtu: topology.underlay?.mtu ?? DEFAULT_UNDERLAY_MTU,
    internal: true,
  };

  const controllersSpec = topology.controllers ?? {};
  const controllers: ControllerPlan = controllersSpec.external
    ? { kind: 'external', targets: [...controllersSpec.external] }
    : {
        kind: 'builtin',
        members: Array.from({ length: controllersSpec.members ?? DEFAULT_CONTROLLERS }, (_, i) => ({
          name: `ctrl${i + 1}`,
          container: containerName(lab, `ctrl${i + 1}`),
          mgmtIp: hostAt(subnets.mgmt, MGMT_GATEWAY_OFFSET + i + 1, `controller member ctrl${i + 1}`, 'management'),
        })),
      };

  // Gateway nodes attach to the physical networks they serve: l2 bridges first, then uplinks.
  const attachOrder: { node: string; network: string }[] = [];
  const attach = (node: string, network: string): void => {
    if (!attachOrder.some((a) => a.node === node && a.network === network)) attachOrder.push({ node, network });
  };
  for (const [, sw] of switchEntries) if (sw['l2-gateway']) attach(sw['l2-gateway'].on, sw['l2-gateway'].network);
  for (const [, r] of routerEntries) for (const gw of r.uplink?.gateways ?? []) attach(gw, r.uplink?.network ?? '');

  const physical: PhysicalNetworkPlan[] = [];
  const attachmentIps = new Map<string, string>(); // `${node}/${network}` → ip
  for (const [netName, net] of netEntries) {
    const cidr = subnets.physical.get(netName) as Cidr;
    const taken = new Set<number>();
    for (const ip of Object.values(net.hosts ?? {})) taken.add(parseIp(ip) as number);
    for (const [, r] of routerEntries) if (r.uplink?.network === netName) taken.add(parseIp(r.uplink.ip) as number);
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
    for (const a of attachOrder) if (a.network === netName) attachmentIps.set(`${a.node}/${netName}`, nextFree(`gateway node ${a.node}`));
    physical.push({
      key: `phys:${netName}`,
      name: `${prefix}-phys-${netName}`,
      subnet: formatCidr(cidr),
      gateway,
      mtu: DEFAULT_MTU,
      internal: true,
      network: netName,
      ...(net.vlan === undefined ? {} : { vlan: net.vlan }),
    });
  }

  const vnis = allocateVnis(topology);
  const portsByNode = new Map<string, PortPlan[]>();
  const switches: SwitchPlan[] = switchEntries.map(([swName, sw]) => {
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
    }));
    for (const port of ports) portsByNode.set(port.node, [...(portsByNode.get(port.node) ?? []), port]);
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

  const transportNodes: TransportNodePlan[] = nodeEntries.map(([name, node], i) => ({
    name,
    role: node.role,
    container: containerName(lab, name),
    encap: node.encap ?? defaultEncap(topology),
    mgmtIp: hostAt(subnets.mgmt, FIRST_NODE_OFFSET + i, `transport node ${name}`, 'management'),
    underlayIp: hostAt(subnets.underlay, FIRST_NODE_OFFSET + i, `transport node ${name}`, 'underlay'),
    underlayPrefixLength: subnets.underlay.prefixLength,
    ports: portsByNode.get(name) ?? [],
    attachments: attachOrder
      .filter((a) => a.node === name)
      .map((a): AttachmentPlan => ({
        network: a.network,
        runtimeNetwork: `${prefix}-phys-${a.network}`,
        ip: attachmentIps.get(`${name}/${a.network}`) as string,
      })),
  }));

  const hosts: HostPlan[] = netEntries.flatMap(([netName, net]) =>
    Object.entries(net.hosts ?? {}).map(([hostName, ip]) => ({
      name: hostName,
      container: containerName(lab, hostName),
      network: netName,
      runtimeNetwork: `${prefix}-phys-${netName}`,
      ip,
      prefixLength: (subnets.physical.get(netName) as Cidr).prefixLength,
      ...(net.vlan === undefined ? {} : { vlan: net.vlan }),
    })),
  );

  const routers: RouterPlan[] = routerEntries.map(([rName, r]) => ({
    name: rName,
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
            prefixLength: (subnets.physical.get(r.uplink.network) as Cidr).prefixLength,
            mac: routerUplinkMac(rName),
            gateways: [...r.uplink.gateways],
            snat: r.uplink.snat ?? false,
          },
        }
      : {}),
  }));

  const scenarios: Record<string, unknown[]> = {};
  for (const [name, steps] of Object.entries(topology.scenarios ?? {})) scenarios[name] = [...steps];

  return {
    lab,
    ...(topology.description === undefined ? {} : { description: topology.description }),
    networks: { mgmt, underlay, physical },
    controllers,
    transportNodes,
    hosts,
    switches,
    routers,
    scenarios,
  };
}
