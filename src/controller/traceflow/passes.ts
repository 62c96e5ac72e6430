// What one packet did on one node: where it entered br-int, the rules it went through and where
// each copy left. A predicted trace (ofproto/trace on the node) and an injected one (counters of
// the marked packet's flows) both come down to these passes; hops.ts strings them into a path.
import type { DropReason, TraceEndpoint, TracePass } from '../../model/index.ts';

/** A place a packet enters or leaves a node's br-int: a VM's port, a tunnel (remote node, encap,
 *  VNI), a gateway's NIC on a physical network, or a logical router's port on an L3 gateway
 *  (defined with its JSON schema in src/model/trace.ts). */
export type Endpoint = TraceEndpoint;

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

/** Two endpoints are the same place (a tunnel from A to B seen from either end compares by VNI);
 *  keys compare in any order (an endpoint read back from JSON may have them in another). */
export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  const canonical = (e: Endpoint) => JSON.stringify(Object.entries(e).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return canonical(a) === canonical(b);
}

/** A pass as JSON (the store and the API carry it so): cookies in hex. */
export function passToJson(p: NodePass): TracePass {
  return {
    node: p.node,
    entry: p.entry,
    rules: p.rules.map((r) => ({
      table: r.table,
      cookie: `0x${r.cookie.toString(16).padStart(16, '0')}`,
      ...(r.priority === undefined ? {} : { priority: r.priority }),
    })),
    exits: p.exits,
    ...(p.drop ? { drop: p.drop } : {}),
    ...(p.route ? { route: p.route } : {}),
  };
}

export function passFromJson(p: TracePass): NodePass {
  return {
    node: p.node,
    entry: p.entry,
    rules: p.rules.map((r) => ({
      table: r.table,
      cookie: BigInt(r.cookie),
      ...(r.priority === undefined ? {} : { priority: r.priority }),
    })),
    exits: p.exits,
    ...(p.drop ? { drop: p.drop } : {}),
    ...(p.route ? { route: p.route } : {}),
  };
}
