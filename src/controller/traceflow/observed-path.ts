// The path an injected trace observed, from the passes every member read on its nodes: strung
// together from the injection point (assemblePath, observed), with what went to a node nobody
// could watch marked unreachable. Where the packet went into a router and came back out of
// another of its ports, the router's step between the two is inferred from where it came out
// (the routing table chose that port; the TTL is one less, the source translated on the way out
// by an uplink with SNAT); where it did not come out, the router's port is as far as it went.
import { DROP_REASONS, type LogicalState, type TraceHop, type TracePath } from '../../model/index.ts';
import { assemblePath } from './hops.ts';
import { TRACE_TTL } from './packet.ts';
import { sameEndpoint, type NodePass } from './passes.ts';
import type { TracePlan } from './plan.ts';

/** Appended to the hop where the packet went into a router and the trace is not routed on (an
 *  ARP, a broadcast, a packet for the router itself): the trace observes up to there. */
export const ROUTER_STOP = 'the injected packet stops here: routing beyond the router is not injected';
/** Appended there when the trace is routed on, yet nothing came back out of the router. */
export const ROUTER_SILENT = 'the injected packet was not seen coming back out of the router';

/** A path that ends where it starts: the packet could not be sent (`why` says so). */
export function notSent(plan: TracePlan, why: string): TracePath {
  const port = plan.source.entry.kind === 'port' ? plan.source.entry.port : undefined;
  const hop: TraceHop = {
    node: plan.source.node ?? '-',
    component: 'port',
    observation: 'dropped',
    reason: 'port-not-bound',
    ...(port ? { logical: port } : {}),
    detail: why,
  };
  return { delivered: false, reason: 'port-not-bound', hops: [hop] };
}

/** A packet no flow classified on a tunnel port has no VNI of its own (0): it is the one the copy
 *  sent into that tunnel carried. */
function withSenderVnis(passes: readonly NodePass[]): NodePass[] {
  return passes.map((p) => {
    const e = p.entry;
    if (e.kind !== 'tunnel' || e.vni !== 0) return p;
    const sent = passes
      .find((q) => q.node === e.remote)
      ?.exits.find((x) => x.kind === 'tunnel' && x.remote === p.node && x.encap === e.encap);
    return sent?.kind === 'tunnel' ? { ...p, entry: { ...e, vni: sent.vni } } : p;
  });
}

/** The routers' steps the passes imply: from a port the packet went into to the port of the same
 *  router on the same node it came back out of. */
function withRouterSteps(passes: readonly NodePass[], plan: TracePlan): NodePass[] {
  const routed = plan.routed;
  if (!routed) return [...passes];
  const steps: NodePass[] = [];
  for (const p of passes) {
    for (const into of p.exits) {
      if (into.kind !== 'router-port') continue;
      const out = passes.find(
        (q) => q.node === p.node && q.entry.kind === 'router-port' && q.entry.router === into.router && !sameEndpoint(q.entry, into),
      )?.entry;
      if (out?.kind !== 'router-port' || steps.some((s) => s.node === p.node && sameEndpoint(s.entry, into))) continue;
      const snat = out.uplink && routed.snat ? { snat: routed.snat } : {};
      const route = { router: into.router, destination: routed.ip, ttl: TRACE_TTL - 1, ...snat };
      steps.push({ node: p.node, entry: into, rules: [], exits: [out], route });
    }
  }
  return [...passes, ...steps];
}

export function observedPath(
  passes: readonly NodePass[],
  logical: LogicalState,
  plan: TracePlan,
  unobserved: ReadonlySet<string> = new Set(),
): TracePath {
  const node = plan.source.node;
  if (!node) return notSent(plan, DROP_REASONS['port-not-bound']);
  const path = assemblePath(withRouterSteps(withSenderVnis(passes), plan), logical, {
    start: { node, entry: plan.source.entry },
    target: plan.target,
    observed: true,
    unobserved,
  });
  if (plan.isolated && !path.delivered) {
    // As the prediction says it: what the packet did (flooded) and, at its source, why it goes
    // no further.
    const entry = plan.source.entry;
    const sw = entry.kind === 'port' ? logical.ports.find((p) => p.name === entry.port)?.switch : undefined;
    path.hops.push({
      node,
      component: 'logical-switch',
      observation: 'dropped',
      reason: 'isolation',
      ...(sw ? { logical: sw } : {}),
      detail: plan.isolated,
    });
    path.reason = 'isolation';
  }
  path.hops.forEach((hop, i) => {
    const next = path.hops[i + 1];
    const routedOn = next?.node === hop.node && next.component === 'logical-router' && next.observation === 'received';
    if (hop.component === 'logical-router' && hop.observation === 'forwarded' && hop.detail?.startsWith('into router') && !routedOn) {
      hop.detail = `${hop.detail}: ${plan.routed ? ROUTER_SILENT : ROUTER_STOP}`;
    }
  });
  return path;
}
