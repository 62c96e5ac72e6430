// Warnings: what a valid topology may hold but should not, because part of the lab it describes
// cannot work. Kept apart from validate.ts's issues so a file that is valid stays valid (the
// topology spec's own example bridges a switch onto a network of another subnet: its frames
// still cross, and flooding checks use that), while every command that reads the file says so.

import type { IssuePath, PathIssue } from './issues.ts';
import type { Topology } from './schema.ts';
import type { ValidateOptions } from './validate.ts';
import { formatCidr, overlaps, parseCidr } from '../model/index.ts';

const SAME_SUBNET = 'the same subnet on the switch and on the physical network it is bridged onto';

/** Every warning of `topology` (assumed valid), each with the key path it is about. */
export function topologyWarnings(topology: Topology, options: Pick<ValidateOptions, 'locate'> = {}): PathIssue[] {
  const warnings: PathIssue[] = [];
  const line = (path: IssuePath): string => {
    const pos = options.locate?.(path);
    return pos ? `, line ${pos.line}` : '';
  };
  const networks = topology['physical-networks'] ?? {};
  for (const [swName, sw] of Object.entries(topology['logical-switches'] ?? {})) {
    const gw = sw['l2-gateway'];
    const netSubnet = gw && networks[gw.network]?.subnet;
    const swCidr = parseCidr(sw.subnet);
    const netCidr = netSubnet === undefined ? undefined : parseCidr(netSubnet);
    // A network without a subnet has no hosts (validate.ts sees to it): nothing to reach.
    if (!gw || !swCidr || !netCidr) continue;
    if (swCidr.network === netCidr.network && swCidr.prefixLength === netCidr.prefixLength) continue;
    // The bridge joins one L2 segment, but each side ARPs only for addresses of its own subnet.
    const consequence = overlaps(swCidr, netCidr)
      ? 'a VM and a host there reach each other only when both addresses are inside both subnets'
      : "the switch's VMs can never reach the hosts there";
    const swAt = line(['logical-switches', swName, 'subnet']);
    const netAt = line(['physical-networks', gw.network, 'subnet']);
    warnings.push({
      path: ['logical-switches', swName, 'l2-gateway', 'network'],
      message:
        `switch ${swName} (subnet ${formatCidr(swCidr)}${swAt}) is bridged onto physical network ${gw.network} ` +
        `(subnet ${formatCidr(netCidr)}${netAt}): ${consequence}`,
      expected: SAME_SUBNET,
    });
  }
  return warnings;
}
