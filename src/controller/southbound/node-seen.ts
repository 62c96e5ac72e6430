// What a member reads from a node's OVSDB (NodeSessions.seen), and whether it changed: only such
// a change wakes the member's decisions.
import type { NodeFacts } from '../pipeline/index.ts';
import type { TunnelRow } from './node-sessions.ts';

export interface Seen {
  datapathId: bigint | undefined;
  underlayMac: string | undefined;
  facts: NodeFacts;
  tunnels: TunnelRow[];
}

export function sameMap<K, V>(a: ReadonlyMap<K, V> | undefined, b: ReadonlyMap<K, V> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export const sameSeen = (a: Seen, b: Seen) =>
  a.datapathId === b.datapathId &&
  a.underlayMac === b.underlayMac &&
  a.facts === b.facts && // one object while equal (see facts())
  a.tunnels.length === b.tunnels.length &&
  a.tunnels.every((t, i) => {
    const u = b.tunnels[i]!;
    return t.name === u.name && t.type === u.type && t.remoteIp === u.remoteIp && t.remoteMac === u.remoteMac && sameMap(t.bfd, u.bfd);
  });
