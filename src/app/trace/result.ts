// A trace's result as the contract has it (src/model/trace.ts): the predicted path and, once a
// packet is injected, the observed one beside it; the top level is the path that counts (the
// observed one where there is one) and where the two part, the first hop that differs.
import { Table } from '../../controller/pipeline/index.ts';
import type { TraceHop, TracePath, TraceRequest, TraceResult } from '../../model/index.ts';

/** A hop in a few words, to say where two paths part. */
export function hopSummary(hop: TraceHop | undefined): string {
  if (!hop) return 'nothing';
  const what = hop.logical ?? hop.tunnel?.remote ?? '';
  return [hop.node, hop.component, what, hop.observation, hop.reason ?? ''].filter(Boolean).join(' ');
}

const sameHop = (a: TraceHop, b: TraceHop) => a.node === b.node && a.component === b.component && a.observation === b.observation;

/** The first hop where the observed path leaves the predicted one, if it does. A hop through a
 *  flow OVS learned (an L2 gateway's physical MAC, table 40) is left out of the prediction here:
 *  an injected packet is counted only by copies of the flows the members installed. */
export function divergence(predicted: TracePath, observed: TracePath): TraceResult['divergence'] {
  const expected = predicted.hops.filter((h) => h.rule?.table !== Table.LEARNED);
  const length = Math.max(expected.length, observed.hops.length);
  for (let i = 0; i < length; i++) {
    const p = expected[i];
    const o = observed.hops[i];
    if (p && o && sameHop(p, o)) continue;
    return { hop: o ? i : observed.hops.length, node: (o ?? p)!.node, predicted: hopSummary(p), observed: hopSummary(o) };
  }
  return undefined;
}

/** The result of a trace: `observed` is the injected packet's path, where one was injected. */
export function traceResult(request: TraceRequest, predicted: TracePath, observed?: TracePath): TraceResult {
  const counts = observed ?? predicted;
  const parted = observed ? divergence(predicted, observed) : undefined;
  return {
    from: request.from,
    to: request.to,
    proto: request.proto,
    ...(request.frame ? { frame: request.frame } : {}),
    delivered: counts.delivered,
    ...(counts.reason ? { reason: counts.reason } : {}),
    hops: counts.hops,
    predicted,
    ...(observed ? { observed } : {}),
    ...(parted ? { divergence: parted } : {}),
  };
}
