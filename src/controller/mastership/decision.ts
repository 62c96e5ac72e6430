// Who masters a transport node, as one member decides it (docs/controller.md, "Mastership"):
// pure rules over what the member sees (leases, links, the store's Mastership rows).
import { ownerOf } from './assign.ts';

/** Live members as this member sees them: a valid lease, and (for peers) an open link.
 *  This member counts itself in: it cannot take a node without a quorum anyway (the
 *  generation bump needs one), and a switch demotes an older master by itself, so fencing
 *  itself when a heartbeat is slow would only churn mastership under load. */
export function liveMembers(me: string, leased: readonly string[], isUp: (member: string) => boolean): string[] {
  const live = leased.filter((name) => name === me || isUp(name));
  if (!live.includes(me)) live.push(me);
  return live;
}

/** Cut off from most peers, this member would only queue generation bumps that cannot
 *  commit, and that would land (and move switches for nothing) when the partition heals.
 *  Links, not leases, decide: a peer just healed may not have renewed its lease yet, yet
 *  its store member already votes. */
export function isQuorate(upPeers: number, clusterSize: number): boolean {
  return (upPeers + 1) * 2 > clusterSize;
}

export interface NodeMastership {
  me: string;
  live: readonly string[];
  /** Whether this member masters the node now. */
  mastering: boolean;
  /** The member the store's Mastership row names for a node; called only while a node is being
   *  handed over (the rows are read then alone). */
  holderOf: (node: string) => string | undefined;
}

/** Whether a node is this member's: its rendezvous owner among the live members, or still its
 *  master until the new owner has taken it. A master hands a node over only once its new owner
 *  has taken it (the store's Mastership row names that owner). A member just back has its lease
 *  before its switches have reconnected to it (they retry it about once a second), and cannot
 *  take them before. */
export function isMine(node: string, m: NodeMastership): boolean {
  return ownerOf(node, m.live) === m.me || (m.mastering && m.holderOf(node) === m.me);
}

/** Each node's holder by the store's Mastership rows, read at the first question only (rarely
 *  needed: a node is asked about only while it is being handed over). */
export function holdersFrom(read: () => readonly { node: string; member: string }[]): (node: string) => string | undefined {
  let holders: Map<string, string> | undefined;
  return (node) => (holders ??= new Map(read().map((m) => [m.node, m.member]))).get(node);
}
