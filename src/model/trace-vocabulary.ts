// The trace contract's words that need no schema: why a packet was dropped, the frame kinds of a
// BUM trace, and the nodes a path crosses. Apart from trace.ts (zod) so that a browser page (the
// web console) can use them without bringing zod along; trace.ts exports them with the rest.
import type { TracePath } from './trace.ts';

/** Why a packet was dropped, by name. */
export const DROP_REASONS = {
  /** The destination is on another logical switch that no router joins to the source's. */
  isolation: 'the destination is on another logical switch, and no router joins the two',
  /** No flow takes the packet on (a table's miss, or a flow removed from the switch). */
  'no-flow': 'no flow for the destination',
  /** The source or destination port is not bound to a transport node, or not plugged in. */
  'port-not-bound': 'the port is not bound to a transport node',
  /** The tunnel towards the next node is down (BFD), or the packet was lost on the underlay. */
  'tunnel-down': 'the tunnel towards the next node is down',
  /** A standby L3 gateway's gate: a better gateway is alive, so this one lets nothing through. */
  'standby-gateway': 'a standby gateway lets nothing through while a better one is alive',
  /** The router has no route towards the destination. */
  'no-route': 'no route towards the destination',
  /** The TTL ran out at a router. */
  ttl: 'the TTL ran out',
  /** A security group's rule (or its default, or an invalid connection state) or port security
   *  dropped it: the drop's rule names which. */
  'security-group': 'dropped by a security group or port security',
  /** A node on the path did not answer (dead or cut off): where the packet went there is not known. */
  unreachable: 'a node on the path could not be asked',
} as const;
export type DropReason = keyof typeof DROP_REASONS;

/** A frame kind that makes a BUM trace: broadcast, a multicast group, or an unknown unicast MAC. */
export const TRACE_FRAMES = ['broadcast', 'multicast', 'unknown'] as const;
export type TraceFrame = (typeof TRACE_FRAMES)[number];

/** The nodes a path crosses, in order, each once (a copy's detour shows where it starts). */
export function pathNodes(path: TracePath): string[] {
  const nodes: string[] = [];
  for (const h of path.hops) if (nodes.at(-1) !== h.node) nodes.push(h.node);
  return nodes;
}
