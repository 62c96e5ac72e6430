// A packet's path as people read it: the per-node passes (passes.ts) strung together from the
// source, across tunnels (a copy leaving one node is the one that enters the next), through
// service nodes' replication, gateways and routers, each rule explained by the logical object
// that made it.
import type { LogicalState, TraceComponent, TraceHop, TracePath } from '../../model/index.ts';
import { DROP_REASONS } from '../../model/index.ts';
import { explainCookie } from '../pipeline/explain.ts';
import type { Endpoint, NodePass, PassRule } from './passes.ts';
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
  UPLINK_FROM_NIC: 'l3-gateway',
  UPLINK_NIC_FLOOD: 'l3-gateway',
  UPLINK_TO_NIC: 'l3-gateway',
  UPLINK_HAIRPIN: 'l3-gateway',
  UPLINK_FLOOD: 'l3-gateway',
};

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
      return { ...base, component: 'logical-router', logical: e.router, detail: `from router ${e.router}${portOfRouter(e)}` };
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
    return passes.find((p) => p.node === from && p.route?.router === exit.router && sameEndpoint(p.entry, exit));
  return undefined;
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
      hops.push({ node: pass.node, component, observation: 'forwarded', ...(meaning.switch ? { logical: meaning.switch } : {}), rule });
    });
    if (pass.route) {
      const r = pass.route;
      const parts = [`routed towards ${r.destination}`, r.ttl === undefined ? '' : `TTL ${r.ttl}`, r.snat ? `source NAT to ${r.snat}` : ''];
      hops.push({
        node: pass.node,
        component: 'logical-router',
        observation: 'forwarded',
        logical: r.router,
        detail: parts.filter(Boolean).join(', '),
      });
    }
    if (pass.exits.length === 0) {
      const last = pass.rules.at(-1);
      const reason = pass.drop?.reason ?? 'no-flow';
      const hop: TraceHop = {
        node: pass.node,
        component: hops.at(-1)?.component ?? 'logical-switch',
        observation: 'dropped',
        reason,
        ...(last ? { rule: ruleOf(last, logical).rule } : {}),
        detail: pass.drop?.detail ?? DROP_REASONS[reason],
      };
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
      const hop = exitHop(pass.node, exit);
      hops.push(hop);
      if (hop.observation === 'delivered' && hop.logical === options.target) delivered = true;
      if (exit.kind === 'nic' && exit.host) {
        hops.push({ node: exit.host, component: 'host', observation: 'delivered', logical: exit.host, detail: `host ${exit.host}` });
        if (exit.host === options.target) delivered = true;
      }
      const next = nextPass(passes, pass.node, exit);
      if (next) walk(next);
      else if (exit.kind === 'tunnel') {
        const seen = options.observed && !options.unobserved?.has(exit.remote);
        const lost: TraceHop = {
          node: exit.remote,
          component: 'tunnel',
          observation: 'dropped',
          reason: seen ? 'tunnel-down' : 'unreachable',
          tunnel: { encap: exit.encap, vni: exit.vni, remote: pass.node },
          detail: seen ? `sent by ${pass.node}, never seen at ${exit.remote}` : `${exit.remote} could not be asked`,
        };
        hops.push(lost);
        firstDrop ??= lost;
      }
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
