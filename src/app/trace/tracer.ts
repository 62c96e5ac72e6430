// `nvlab trace`'s predicted path: the request made concrete against the controller's logical
// state, traced through the switches' real OpenFlow tables node by node, strung into hops each
// explained by the logical object that made its rule, with what the logical state alone decides
// (isolation, an unbound port) as the verdict.
import type { Runtime } from '../../runtime/runtime.ts';
import { assemblePath } from '../../controller/traceflow/index.ts';
import {
  containerName,
  DROP_REASONS,
  TraceRequestSchema,
  type ClientName,
  type TraceHop,
  type TracePath,
  type TraceRequest,
  type TraceRequestInput,
  type TraceResult,
} from '../../model/index.ts';
import { NvlabError } from '../../util/errors.ts';
import { defaultLab } from '../exec-target.ts';
import { readLabView, type LabView } from './lab-view.ts';
import { NodeProbes, type NodeExec } from './node-probe.ts';
import { planTrace, type TracePlan, type Verdict } from './plan.ts';
import { traceResult } from './result.ts';
import { stitch, type Stitched } from './stitch.ts';

/** How long a node may take to answer one exec before it counts as unreachable. */
const NODE_TIMEOUT_MS = 5_000;

const verdictHop = (v: Verdict): TraceHop => ({
  node: v.node,
  component: v.component,
  observation: 'dropped',
  reason: v.reason,
  ...(v.logical ? { logical: v.logical } : {}),
  detail: v.detail,
});

/** A target port whose node runs but has no interface for it is not plugged in. */
async function targetNotPlugged(plan: TracePlan, probes: NodeProbes): Promise<Verdict | undefined> {
  if (plan.to.kind !== 'port' || !plan.to.port.node) return undefined;
  const node = plan.to.port.node;
  const bridges = await probes.state(node).catch(() => undefined);
  if (!bridges) return undefined;
  const plugged = bridges.some((b) => b.name === 'br-int' && b.interfaces.some((i) => i.ifaceId === plan.to.name));
  if (plugged) return undefined;
  return {
    reason: 'port-not-bound',
    node,
    component: 'port',
    logical: plan.to.name,
    detail: `port ${plan.to.name} is bound to ${node} but not plugged in there`,
  };
}

/** Traces from each start in turn: a standby gateway's NIC lets nothing in, the next one may. */
async function traceFromStarts(
  view: LabView,
  probes: NodeProbes,
  plan: TracePlan,
): Promise<{ stitched: Stitched; start: TracePlan['starts'][number] }> {
  let last: { stitched: Stitched; start: TracePlan['starts'][number] } | undefined;
  for (const start of plan.starts) {
    const stitched = await stitch(view, probes, { ...start, packet: plan.packet }, plan.target);
    last = { stitched, start };
    const first = stitched.passes[0];
    if (first && first.drop?.reason !== 'standby-gateway') break;
  }
  return last!;
}

/** The predicted path of the plan's packet. */
export async function predictPath(view: LabView, probes: NodeProbes, plan: TracePlan): Promise<TracePath> {
  // The target's node is asked at once, beside the source, unless the source's trace asks it anyway.
  const targetNode = plan.to.kind === 'port' ? plan.to.port.node : undefined;
  const early = targetNode !== undefined && !plan.starts.some((s) => s.node === targetNode) ? targetNotPlugged(plan, probes) : undefined;
  const sent: TraceHop[] =
    plan.from.kind === 'host'
      ? [
          {
            node: plan.from.name,
            component: 'host',
            observation: 'forwarded',
            logical: plan.from.name,
            detail: `sent by host ${plan.from.name} on physical network ${plan.from.host.network}`,
          },
        ]
      : [];
  if (plan.starts.length === 0) {
    const verdict = plan.verdict!;
    return { delivered: false, reason: verdict.reason, hops: [...sent, verdictHop(verdict)] };
  }
  const { stitched, start } = await traceFromStarts(view, probes, plan);
  const why = stitched.unreachable.get(start.node);
  if (stitched.passes.length === 0 && why !== undefined) {
    const hop: TraceHop = { node: start.node, component: 'port', observation: 'dropped', reason: 'unreachable', detail: why };
    return { delivered: false, reason: 'unreachable', hops: [...sent, hop] };
  }
  const path = assemblePath(stitched.passes, view.logical, {
    start: { node: start.node, entry: start.entry },
    target: plan.target,
    observed: false,
  });
  for (const hop of path.hops)
    if (hop.reason === 'unreachable' && stitched.unreachable.has(hop.node)) hop.detail = stitched.unreachable.get(hop.node)!;
  const hops = [...sent, ...path.hops];
  if (path.delivered) return { delivered: true, hops };
  const verdict = plan.verdict ?? (await (early ?? targetNotPlugged(plan, probes)));
  if (verdict) return { delivered: false, reason: verdict.reason, hops: [...hops, verdictHop(verdict)] };
  if (path.reason) return { delivered: false, reason: path.reason, hops };
  // Every copy went somewhere, none to the target.
  const last = hops.at(-1)!;
  const hop: TraceHop = {
    node: last.node,
    component: last.component,
    observation: 'dropped',
    reason: 'no-flow',
    detail: `${DROP_REASONS['no-flow']}: no copy reached ${plan.target}`,
  };
  return { delivered: false, reason: 'no-flow', hops: [...hops, hop] };
}

/** A request as the CLI or an API client gives it, checked (exit 2 when it is not one). */
export function traceRequest(input: TraceRequestInput) {
  const parsed = TraceRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new NvlabError('BAD_TRACE', `${issue.path.join('.') || 'trace'}: expected ${issue.message}`, { exitCode: 2 });
}

/** The runtime's exec on a lab's transport nodes, bounded in time. */
export function labExec(runtime: Runtime, lab: string): NodeExec {
  return (node, cmd) => runtime.exec(containerName(lab, node), cmd, { timeoutMs: NODE_TIMEOUT_MS });
}

/**
 * Where an injected trace plugs in: given the lab's view and the concrete packet, the path a real
 * marked packet took. Its result goes beside the predicted path (traceResult says where they part).
 */
export type InjectTrace = (request: TraceRequest, view: LabView, plan: TracePlan) => Promise<TracePath>;

/** Drops the logical state decides (not a switch): they hold for an injected packet too. */
const VERDICTS = new Set(['isolation', 'port-not-bound']);

/** A host's packet is injected where it enters the lab (its gateway's NIC), as if the host had
 *  sent it: the observed path starts with the host's sending, as the predicted one does. */
function withSender(predicted: TracePath, observed: TracePath): TracePath {
  const sent = predicted.hops[0];
  if (sent?.component !== 'host' || observed.hops[0]?.component === 'host') return observed;
  return { ...observed, hops: [sent, ...observed.hops] };
}

/** The injected packet's path with the prediction's verdict: the switches show where the packet
 *  went, the logical state why it got no further (the target is on another switch, or unbound). */
function withVerdict(predicted: TracePath, observed: TracePath): TracePath {
  const verdict = predicted.delivered ? undefined : predicted.hops.at(-1);
  if (!verdict?.reason || !VERDICTS.has(verdict.reason) || observed.delivered) return observed;
  if (observed.hops.at(-1)?.reason === verdict.reason) return observed;
  return { delivered: false, reason: verdict.reason, hops: [...observed.hops, verdict] };
}

export interface LabTracerOptions {
  /** Injects a marked packet beside the prediction. */
  inject?: InjectTrace | undefined;
  /** The lab's view, when the caller has read it already. */
  view?: LabView;
  /** Who reads the view (default the CLI). */
  client?: ClientName;
}

/** Traces in one lab, the lab's view read once (a connectivity matrix makes dozens): each call
 *  predicts one packet's path, and observes it too where `inject` is given. */
export async function labTracer(
  runtime: Runtime,
  lab: string,
  options: LabTracerOptions = {},
): Promise<(input: TraceRequestInput) => Promise<TraceResult>> {
  const view = options.view ?? (await readLabView(runtime, lab, options.client));
  return async (input) => {
    const request = traceRequest(input);
    const plan = planTrace(view, request);
    // Fresh probes per trace: a node's tables may change between two traces.
    const [predicted, injected] = await Promise.all([
      predictPath(view, new NodeProbes(labExec(runtime, lab)), plan),
      options.inject?.(request, view, plan).then(
        (path) => ({ path }),
        (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
      ),
    ]);
    // A packet that could not be injected leaves the prediction standing, with why.
    const observed = injected && 'path' in injected ? withVerdict(predicted, withSender(predicted, injected.path)) : undefined;
    const result = traceResult(request, predicted, observed);
    return injected && 'error' in injected ? { ...result, notInjected: injected.error } : result;
  };
}

/** A packet's path in a running lab (the only one deployed when `lab` is not given): predicted,
 *  and observed too where `inject` is given. */
export async function traceLab(
  runtime: Runtime,
  lab: string | undefined,
  input: TraceRequestInput,
  options: { inject?: InjectTrace } = {},
): Promise<TraceResult> {
  const request = traceRequest(input);
  const tracer = await labTracer(runtime, lab ?? (await defaultLab(runtime)), options);
  return tracer(request);
}
