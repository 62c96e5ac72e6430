// The path an injected trace observed, from the passes every member read on its nodes: strung
// together from the injection point (assemblePath, observed), with what went to a node nobody
// could watch marked unreachable, and a router's port said to be as far as injection goes.
import { DROP_REASONS, type LogicalState, type TraceHop, type TracePath } from '../../model/index.ts';
import { assemblePath } from './hops.ts';
import type { NodePass } from './passes.ts';
import type { TracePlan } from './plan.ts';

/** Appended to the hop where the packet went into a router: the trace observes up to there. */
export const ROUTER_STOP = 'the injected packet stops here: routing beyond the router is not injected';

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

export function observedPath(
  passes: readonly NodePass[],
  logical: LogicalState,
  plan: TracePlan,
  unobserved: ReadonlySet<string> = new Set(),
): TracePath {
  const node = plan.source.node;
  if (!node) return notSent(plan, DROP_REASONS['port-not-bound']);
  const path = assemblePath(withSenderVnis(passes), logical, {
    start: { node, entry: plan.source.entry },
    target: plan.target,
    observed: true,
    unobserved,
  });
  for (const hop of path.hops) {
    if (hop.component === 'logical-router' && hop.observation === 'forwarded' && hop.detail?.startsWith('into router')) {
      hop.detail = `${hop.detail}: ${ROUTER_STOP}`;
    }
  }
  return path;
}
