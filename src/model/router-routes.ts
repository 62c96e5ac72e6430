// The rules a router's static routes follow, shared by the northbound API (resources.ts) and the
// topology file's validation, each of which words where a route and a network are in its own way.
import { formatCidr, isUsableHost, parseCidr, parseIfaceCidr, parseIp, type Cidr } from './ipv4.ts';

/** One of a router's networks: its address with the prefix length (10.0.1.1/24), and how a
 *  message names it (`interfaces.0.ip`, `its interface on switch web`). */
export interface RouterNetwork {
  ip: string;
  name: string;
}

/** A problem of one route: which one, which of its fields, and what is wrong ("route P: …"). */
export interface RouteIssue {
  index: number;
  field: 'prefix' | 'nextHop';
  message: string;
}

export interface RouteCheckOptions {
  /** How a message names route `index` (the first route to a prefix, for a second one). */
  place(index: number): string;
  /** False when some of the router's networks are unknown (a file naming a switch that is not
   *  there): a next hop outside the known ones is not reported then. Default true. */
  complete?: boolean;
}

/**
 * Each route once per prefix, none for a subnet the router is on (its connected route has it),
 * and a next hop the router can reach: a host of one of its subnets, not one of its own addresses.
 * Prefixes and next hops that are not addresses at all are left to the schemas.
 */
export function routeIssues(
  routes: readonly { prefix: string; nextHop: string }[],
  networks: readonly RouterNetwork[],
  options: RouteCheckOptions,
): RouteIssue[] {
  const nets = networks.flatMap((n) => {
    const iface = parseIfaceCidr(n.ip);
    const cidr = parseCidr(n.ip, false);
    return iface && cidr ? [{ name: n.name, ip: iface.ip, cidr }] : [];
  });
  const subnets = nets.map((n) => formatCidr(n.cidr)).join(', ') || 'none';
  const issues: RouteIssue[] = [];
  const seen = new Map<string, number>();
  routes.forEach((t, index) => {
    const issue = (field: RouteIssue['field'], message: string) => issues.push({ index, field, message: `route ${t.prefix}: ${message}` });
    const prefix = parseCidr(t.prefix);
    if (prefix) {
      const key = formatCidr(prefix);
      const first = seen.get(key);
      if (first !== undefined) issue('prefix', `a second route to ${key} (${options.place(first)}): one route per prefix`);
      else seen.set(key, index);
      const on = nets.find((n) => sameSubnet(n.cidr, prefix));
      if (on) issue('prefix', `the router is on ${key} itself (${on.name})`);
    }
    const hop = parseIp(t.nextHop);
    if (hop === undefined) return;
    const own = nets.find((n) => n.ip === hop);
    if (own) issue('nextHop', `next hop ${t.nextHop} is the router's own address (${own.name})`);
    else if (options.complete !== false && !nets.some((n) => isUsableHost(n.cidr, hop)))
      issue('nextHop', `next hop ${t.nextHop} is not a host of the router's subnets (${subnets})`);
  });
  return issues;
}

const sameSubnet = (a: Cidr, b: Cidr) => a.network === b.network && a.prefixLength === b.prefixLength;
