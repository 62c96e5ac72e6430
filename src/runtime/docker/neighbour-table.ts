// The kernel's ARP table on the host. Its size limit (net.ipv4.neigh.default.gc_thresh3, 1,024 by
// default) counts entries of every network namespace together, and every node is a namespace:
// at 200 nodes the members' entries for the nodes and the nodes' for the members passed it, and
// every new neighbour anywhere failed ("No buffer space available"), the host's path to the
// members included, so the deploy could not reach the cluster.
import { readFile, writeFile } from 'node:fs/promises';

const NEIGH = '/proc/sys/net/ipv4/neigh/default';

/** The limits set when the host's are lower: room for labs of thousands of nodes, each entry a
 *  few hundred bytes of kernel memory (tens of MB at most, and only for entries in use). */
export const NEIGHBOUR_LIMITS = { gc_thresh1: 8192, gc_thresh2: 32768, gc_thresh3: 65536 } as const;

/**
 * Raises the host's ARP table limits to NEIGHBOUR_LIMITS where they are lower, never lowering
 * one. Returns what it did, for the deploy's progress lines, or undefined when it changed
 * nothing (already as large, or no permission: large labs then lose neighbours).
 */
export async function enlargeNeighbourTable(dir = NEIGH): Promise<string | undefined> {
  const raised: string[] = [];
  try {
    // thresh3 first: the kernel refuses a thresh2 above thresh3 on some versions.
    for (const key of ['gc_thresh3', 'gc_thresh2', 'gc_thresh1'] as const) {
      const current = Number((await readFile(`${dir}/${key}`, 'utf8')).trim());
      if (current >= NEIGHBOUR_LIMITS[key]) continue;
      await writeFile(`${dir}/${key}`, String(NEIGHBOUR_LIMITS[key]));
      raised.push(`${key} ${current} → ${NEIGHBOUR_LIMITS[key]}`);
    }
  } catch {
    // Not ours to change here (no /proc/sys, not root): the lab runs as far as the table lets it.
  }
  return raised.length ? `host ARP table limits raised (net.ipv4.neigh.default: ${raised.join(', ')})` : undefined;
}
