// The subnets of a lab: those the file gives, and subnets from per-kind pools for those it leaves
// out (a /24, or larger for a lab of more than 245 nodes), never overlapping each other, other
// labs or the host's networks.
import { createHash } from 'node:crypto';
import { NvlabError } from '../util/errors.ts';
import { formatCidr, formatIp, nthHost, overlaps, parseCidr, type Cidr } from '../model/index.ts';
import type { Topology } from './schema.ts';
import type { UsedSubnet } from '../model/index.ts';

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

// Finds the first free subnet of `prefixLength` in `pool` from the lab's start index (counted in
// /24s) upward, wrapping.
function allocate(pool: string, start: number, taken: readonly Claimed[], what: string, prefixLength = 24): Cidr {
  const base = parseCidr(pool) as Cidr;
  const size = 2 ** (32 - prefixLength);
  const count = 2 ** (prefixLength - base.prefixLength);
  const first = Math.floor(start / 2 ** (24 - prefixLength));
  for (let i = 0; i < count; i++) {
    const cidr = { network: base.network + ((first + i) % count) * size, prefixLength };
    if (!taken.some((t) => overlaps(t.cidr, cidr))) return cidr;
  }
  throw new PlanError(`no free /${prefixLength} left in ${pool} for the ${what}; remove unused labs or give the subnet in the file`);
}

/** The longest prefix (a /24 at most) whose subnet holds the lab's nodes from FIRST_NODE_OFFSET
 *  on, and its broadcast address: a lab of 500 hypervisors takes a /23, one of 1,000 a /22. */
export function pooledPrefixLength(nodes: number): number {
  let prefixLength = 24;
  while (2 ** (32 - prefixLength) < FIRST_NODE_OFFSET + nodes + 1 && prefixLength > 16) prefixLength--;
  return prefixLength;
}

function mustParse(subnet: string, owner: string): Cidr {
  const cidr = parseCidr(subnet, false);
  if (!cidr) throw new PlanError(`${owner} has ${subnet}, which is not an IPv4 subnet`);
  return cidr;
}

// Explicit subnets first (they must be free), then pooled ones around them.
export function chooseSubnets(topology: Topology, env: PlanEnv): { underlay: Cidr; mgmt: Cidr; physical: Map<string, Cidr> } {
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
  const pooled = (pool: string, owner: string, prefixLength = 24): Cidr =>
    claim(allocate(pool, start, [...chosen, ...used], owner, prefixLength), owner);
  // Every transport node has an address on the underlay and the management network.
  const nodes = pooledPrefixLength(Object.keys(topology['transport-nodes'] ?? {}).length);
  const underlay = underlayExplicit ?? pooled(SUBNET_POOLS.underlay, 'underlay', nodes);
  const mgmt = pooled(SUBNET_POOLS.mgmt, 'management network', nodes);
  for (const [name] of nets) {
    if (!physical.has(name)) physical.set(name, pooled(SUBNET_POOLS.physical, `physical network ${name}`));
  }
  // Keep file order in the map.
  return { underlay, mgmt, physical: new Map(nets.map(([name]) => [name, physical.get(name) as Cidr])) };
}

// The address `offset` hosts after the network address, or a PlanError naming what did not fit.
export function hostAt(cidr: Cidr, offset: number, what: string, network: string): string {
  const ip = nthHost(cidr, offset);
  if (ip === undefined) {
    throw new PlanError(`the ${network} subnet ${formatCidr(cidr)} is too small: ${what} needs .${offset} from the network address`);
  }
  return formatIp(ip);
}
