// What one packet did on one node: where it entered br-int, the rules it went through and where
// each copy left. A predicted trace (ofproto/trace on the node) and an injected one (counters of
// the marked packet's flows) both come down to these passes; hops.ts strings them into a path.
import type { DropReason, Encap } from '../../model/index.ts';

/** A place a packet enters or leaves a node's br-int. */
export type Endpoint =
  /** A VM (logical port) on this node. */
  | { kind: 'port'; port: string }
  /** A tunnel, to or from another transport node, carrying the switch's VNI. */
  | { kind: 'tunnel'; remote: string; encap: Encap; vni: number }
  /** A gateway's NIC on a physical network (an L2 gateway's VLAN, an L3 gateway's uplink NIC). */
  | { kind: 'nic'; nic: string; network: string; vlan?: number; host?: string }
  /** A logical router's port on an L3 gateway: its interface on a switch, or its uplink. */
  | { kind: 'router-port'; router: string; switch?: string; uplink?: true };

/** A rule the packet matched, in order; the cookie tells which logical object made it. */
export interface PassRule {
  table: number;
  cookie: bigint;
  priority?: number;
}

/** A router's own step (routing in its namespace on a gateway), between two of its ports. */
export interface RouteStep {
  router: string;
  /** The address it routed towards, and what it did: TTL after, source NAT to an address. */
  destination: string;
  ttl?: number;
  snat?: string;
}

export interface PassLoss {
  reason: DropReason;
  detail?: string;
  exit?: Endpoint;
}

export interface NodePass {
  node: string;
  entry: Endpoint;
  rules: PassRule[];
  /** Every copy that left, in order; none when the packet was dropped here. */
  exits: Endpoint[];
  /** Why nothing left, when nothing did. */
  drop?: { reason: DropReason; detail?: string };
  /** Copies lost here although others may have left: one sent into a tunnel known to be down
   *  (`exit`: that exit, whose far end is then not looked for), or one a group could not send
   *  anywhere (a fast_failover group without a live bucket; no `exit`). */
  losses?: PassLoss[];
  /** On an L3 gateway, where the packet went through a router: the routing done there. */
  route?: RouteStep;
}

/** Two endpoints are the same place (a tunnel from A to B seen from either end compares by VNI). */
export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
