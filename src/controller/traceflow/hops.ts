// A packet's path as people read it: the per-node passes (passes.ts) strung together from the
// source, across tunnels (a copy leaving one node is the one that enters the next), through
// service nodes' replication, gateways and routers, each rule explained by the logical object
// that made it.
import type { LogicalState, TraceComponent, TraceHop, TracePath } from '../../model/index.ts';
import { DROP_REASONS, type DropReason } from '../../model/index.ts';
import { explainCookie, type RuleMeaning } from '../pipeline/explain.ts';
import type { Endpoint, NodePass, PassRule, RouteStep } from './passes.ts';
import { sameEndpoint } from './passes.ts';

export interface AssembleOptions {
  /** Where the packet starts: its node and how it entered br-int there. */
  start: { node: string; entry: Endpoint };
  /** The port or host it is for: reaching it is `delivered`. */
  target: string;
  /** An injected trace: a copy sent into a tunnel and never seen at the far end was lost there. */
  observed: boolean;
  /** Injected: nodes that could not be watched (their master did not answer): what went there
   *  is `unreachable`, not lost. */
  unobserved?: ReadonlySet<string>;
}

const byKind: Record<string, TraceComponent> = {
  CLASSIFY_VM: 'port',
  CLASSIFY_TUNNEL: 'tunnel',
  CLASSIFY_SERVED: 'service-node',
  CLASSIFY_PHYSICAL: 'l2-gateway',
  REPLICATE: 'service-node',
  L2GW_FROM_TUNNEL: 'l2-gateway',
  L2GW_TO_PHYSICAL: 'l2-gateway',
  L2GW_LEARNED: 'l2-gateway',
  ROUTER_UNICAST: 'logical-router',
  ROUTER_ARP: 'logical-router',
  ROUTER_ECHO: 'logical-router',
  ROUTER_TTL: 'logical-router',
  ROUTER_IN: 'logical-router',
  ROUTE: 'logical-router',
  ROUTE_TO_GATEWAY: 'logical-router',
  NO_ROUTE: 'logical-router',
  ROUTER_RESOLVE: 'logical-router',
  ROUTER_LEARN: 'logical-router',
  UPLINK_FROM_NIC: 'l3-gateway',
  UPLINK_NIC_FLOOD: 'l3-gateway',
  UPLINK_TO_NIC: 'l3-gateway',
  UPLINK_HAIRPIN: 'l3-gateway',
  UPLINK_FLOOD: 'l3-gateway',
};

/** A distributed router's rules a packet may end at: no route (none, or a network of the router's
 *  where no port has the address and no gateway would ask), or its TTL run out. */
const ROUTER_DROPS: Readonly<Record<string, DropReason>> = {
  NO_ROUTE: 'no-route',
  ROUTE: 'no-route',
  ROUTER_RESOLVE: 'no-route',
  ROUTER_TTL: 'ttl',
};

/** Why a security decision dropped the packet: "dropped by rule 2 of group web (...)"; a reject
 *  rule answers the sender (src/controller/reject). */
function securityDrop(meaning: RuleMeaning): string {
  const by = meaning.decision ?? meaning.text;
  if (meaning.action === 'reject') return `rejected by ${by}: its sender gets a TCP reset or an ICMP port unreachable`;
  return `dropped by ${by}`;
}

const hex = (c: bigint) => `0x${c.toString(16).padStart(16, '0')}`;

function ruleOf(r: PassRule, logical: LogicalState) {
  const meaning = explainCookie(r.cookie, logical, r.table);
  return {
    meaning,
    rule: { cookie: hex(r.cookie), table: r.table, ...(r.priority === undefined ? {} : { priority: r.priority }), meaning: meaning.text },
  };
}

function roleOf(logical: LogicalState, node: string): string | undefined {
  return logical.nodes.find((n) => n.name === node)?.role;
}

function entryHop(pass: NodePass, logical: LogicalState): TraceHop {
  const e = pass.entry;
  const base = { node: pass.node, observation: 'received' as const };
  switch (e.kind) {
    case 'port':
      return { ...base, component: 'port', logical: e.port, detail: `sent by port ${e.port}` };
    case 'tunnel':
      return {
        ...base,
        component: roleOf(logical, pass.node) === 'service-node' ? 'service-node' : 'tunnel',
        tunnel: { encap: e.encap, vni: e.vni, remote: e.remote },
        detail: `from ${e.remote} through its ${e.encap} tunnel, VNI ${e.vni}`,
      };
    case 'nic':
      return {
        ...base,
        component: roleOf(logical, pass.node) === 'l3-gateway' ? 'l3-gateway' : 'l2-gateway',
        logical: e.network,
        detail: `from physical network ${e.network} on ${e.nic}${e.vlan === undefined ? '' : `, VLAN ${e.vlan}`}`,
      };
    case 'router-port':
      // A router's own step takes the packet in; a gateway's br-int gets it back from the router.
      return {
        ...base,
        component: 'logical-router',
        logical: e.router,
        detail: pass.route
          ? `router ${e.router} takes it in on its${portOfRouter(e).slice(2)}`
          : `from router ${e.router}${portOfRouter(e)}`,
      };
  }
}

const portOfRouter = (e: Extract<Endpoint, { kind: 'router-port' }>) =>
  e.uplink ? "'s uplink" : e.switch ? `'s interface on switch ${e.switch}` : '';

function exitHop(node: string, e: Endpoint): TraceHop {
  switch (e.kind) {
    case 'port':
      return { node, component: 'port', observation: 'delivered', logical: e.port, detail: `to port ${e.port}` };
    case 'tunnel':
      return {
        node,
        component: 'tunnel',
        observation: 'forwarded',
        tunnel: { encap: e.encap, vni: e.vni, remote: e.remote },
        detail: `into the ${e.encap} tunnel to ${e.remote}, VNI ${e.vni}`,
      };
    case 'nic':
      return {
        node,
        component: 'physical-network',
        observation: 'forwarded',
        logical: e.network,
        detail: `out ${e.nic} onto physical network ${e.network}${e.vlan === undefined ? '' : `, VLAN ${e.vlan}`}`,
      };
    case 'router-port':
      return {
        node,
        component: 'logical-router',
        observation: 'forwarded',
        logical: e.router,
        detail: `into router ${e.router}${portOfRouter(e)}`,
      };
  }
}

/** The pass a copy leaving `from` through `exit` makes next, if any was seen or predicted. */
function nextPass(passes: readonly NodePass[], from: string, exit: Endpoint): NodePass | undefined {
  if (exit.kind === 'tunnel') {
    return passes.find((p) => p.node === exit.remote && p.entry.kind === 'tunnel' && p.entry.remote === from && p.entry.vni === exit.vni);
  }
  if (exit.kind === 'router-port')
    return (
      passes.find((p) => p.node === from && p.route?.router === exit.router && sameEndpoint(p.entry, exit)) ??
      // Out of a router's step: the gateway's br-int takes the packet from the router's egress port.
      passes.find((p) => p.node === from && !p.route && sameEndpoint(p.entry, exit))
    );
  return undefined;
}

/** A router's step, as people read it: where it routed the packet, out of which port, TTL, NAT. */
function routeHop(pass: NodePass, r: RouteStep): TraceHop {
  const out = pass.exits[0];
  const via = out?.kind === 'router-port' ? ` out of its${portOfRouter(out).slice(2)}` : '';
  const parts = [
    `routed towards ${r.destination}${via}`,
    r.ttl === undefined ? '' : `TTL ${r.ttl}`,
    r.snat ? `source NAT to ${r.snat}` : '',
  ];
  return {
    node: pass.node,
    component: 'logical-router',
    observation: 'forwarded',
    logical: r.router,
    detail: parts.filter(Boolean).join(', '),
  };
}

/** The hop of a copy that went no further: lost in a tunnel, or a node that could not be asked. */
function lostHop(pass: NodePass, exit: Extract<Endpoint, { kind: 'tunnel' }>, observed: boolean): TraceHop {
  const loss = pass.losses?.find((l) => l.exit && sameEndpoint(l.exit, exit));
  const reason = loss?.reason ?? (observed ? 'tunnel-down' : 'unreachable');
  const detail = loss?.detail ?? (observed ? `sent by ${pass.node}, never seen at ${exit.remote}` : `${exit.remote} could not be asked`);
  return {
    node: loss ? pass.node : exit.remote,
    component: 'tunnel',
    observation: 'dropped',
    reason,
    tunnel: { encap: exit.encap, vni: exit.vni, remote: loss ? exit.remote : pass.node },
    detail,
  };
}

/** The hop of a pass that sent nothing: why, from the pass itself, or from its last rule (a
 *  security decision names itself, "rule 2 of group web"; a distributed router's, no route or
 *  a TTL run out). */
function dropHop(pass: NodePass, logical: LogicalState, component: TraceComponent): TraceHop {
  const last = pass.rules.at(-1);
  const lastRule = last ? ruleOf(last, logical) : undefined;
  const secured = !pass.drop && lastRule?.meaning.decision !== undefined;
  const routed = !pass.drop && lastRule ? ROUTER_DROPS[lastRule.meaning.kind] : undefined;
  const reason = pass.drop?.reason ?? (secured ? 'security-group' : (routed ?? 'no-flow'));
  const because = secured && lastRule ? securityDrop(lastRule.meaning) : routed && lastRule ? lastRule.meaning.text : DROP_REASONS[reason];
  return {
    node: pass.node,
    component,
    observation: 'dropped',
    reason,
    ...(lastRule ? { rule: lastRule.rule } : {}),
    detail: pass.drop?.detail ?? because,
  };
}

/** Strings the passes into a path from `options.start`. */
export function assemblePath(passes: readonly NodePass[], logical: LogicalState, options: AssembleOptions): TracePath {
  const hops: TraceHop[] = [];
  let delivered = false;
  let firstDrop: TraceHop | undefined;
  const visited = new Set<NodePass>();
  const walk = (pass: NodePass): void => {
    if (visited.has(pass)) return;
    visited.add(pass);
    hops.push(entryHop(pass, logical));
    pass.rules.forEach((r, i) => {
      const { meaning, rule } = ruleOf(r, logical);
      if (meaning.kind === 'TABLE_MISS') return; // said by the drop below
      if (i === 0 && hops.at(-1)?.node === pass.node && hops.at(-1)?.observation === 'received') {
        hops.at(-1)!.rule = rule;
        return;
      }
      const component = byKind[meaning.kind] ?? 'logical-switch';
      // A rule towards a router names the router (its subject is the router's port, lrp:R:S).
      const router = byKind[meaning.kind] === 'logical-router' ? /^lr[phrub]:([^:]+)/.exec(meaning.subject ?? '')?.[1] : undefined;
      const about = router ?? meaning.switch;
      hops.push({ node: pass.node, component, observation: 'forwarded', ...(about ? { logical: about } : {}), rule });
    });
    // A router's step that dropped the packet says why in the drop below.
    if (pass.route && pass.exits.length > 0) hops.push(routeHop(pass, pass.route));
    if (pass.exits.length === 0) {
      const hop = dropHop(pass, logical, hops.at(-1)?.component ?? 'logical-switch');
      hops.push(hop);
      firstDrop ??= hop;
      return;
    }
    if (pass.exits.length > 1) {
      const component = roleOf(logical, pass.node) === 'service-node' ? 'service-node' : 'logical-switch';
      hops.push({
        node: pass.node,
        component,
        observation: 'replicated',
        copies: pass.exits.length,
        detail: `${pass.exits.length} copies`,
      });
    }
    for (const exit of pass.exits) {
      const next = nextPass(passes, pass.node, exit);
      // Out of a router's step, the next pass's entry says where the packet went.
      if (!(pass.route && next)) {
        const hop = exitHop(pass.node, exit);
        // A packet for one of a router's own addresses has arrived once the router takes it.
        if (exit.kind === 'router-port' && exit.router === options.target) hop.observation = 'delivered';
        hops.push(hop);
        if (hop.observation === 'delivered' && hop.logical === options.target) delivered = true;
      }
      if (exit.kind === 'nic' && exit.host) {
        hops.push({ node: exit.host, component: 'host', observation: 'delivered', logical: exit.host, detail: `host ${exit.host}` });
        if (exit.host === options.target) delivered = true;
      }
      if (next) walk(next);
      else if (exit.kind === 'tunnel') {
        const lost = lostHop(pass, exit, options.observed && !options.unobserved?.has(exit.remote));
        hops.push(lost);
        firstDrop ??= lost;
      }
    }
    for (const loss of pass.losses ?? []) {
      if (loss.exit) continue; // said where its exit is
      const hop: TraceHop = {
        node: pass.node,
        component: 'tunnel',
        observation: 'dropped',
        reason: loss.reason,
        detail: loss.detail ?? DROP_REASONS[loss.reason],
      };
      hops.push(hop);
      firstDrop ??= hop;
    }
  };
  const first = passes.find((p) => p.node === options.start.node && sameEndpoint(p.entry, options.start.entry));
  if (!first) {
    const hop: TraceHop = {
      node: options.start.node,
      component: 'port',
      observation: 'dropped',
      reason: options.observed ? 'unreachable' : 'port-not-bound',
      detail: options.observed ? `nothing was seen on ${options.start.node}` : DROP_REASONS['port-not-bound'],
    };
    return { delivered: false, reason: hop.reason, hops: [hop] };
  }
  walk(first);
  return { delivered, ...(delivered || !firstDrop?.reason ? {} : { reason: firstDrop.reason }), hops };
}
