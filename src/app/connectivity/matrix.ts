// The port connectivity matrix (NVP's port connectivity tool): every ordered pair of logical
// ports, what the logical design says of it, and what its trace found. Pure: the traces are
// made by the caller (index.ts).
import {
  summarizeTrace,
  type ConnectivityMatrix,
  type ConnectivityPair,
  type Design,
  type PairTrace,
  type TracePath,
  type TraceResult,
} from '../../model/index.ts';

export interface MatrixPort {
  name: string;
  switch: string;
  node?: string | undefined;
}

export interface MatrixRouter {
  name: string;
  distributed: boolean;
  interfaces: readonly { switch: string }[];
  uplink?: { gateways: readonly unknown[] } | undefined;
}

/** Whether a router routes anywhere: on every node carrying its switches when distributed, else
 *  on its uplink's gateways (a centralized router without them runs nowhere). */
export const routerRuns = (r: Pick<MatrixRouter, 'distributed' | 'uplink'>): boolean =>
  r.distributed || (r.uplink?.gateways.length ?? 0) > 0;

/** What the design says of a pair: one switch, a router that joins the two switches and runs
 *  somewhere (routerRuns), or nothing that joins them. */
export function designOf(routers: readonly MatrixRouter[], a: MatrixPort, b: MatrixPort): { design: Design; router?: string } {
  if (a.switch === b.switch) return { design: 'switch' };
  const joins = (r: MatrixRouter) => r.interfaces.some((i) => i.switch === a.switch) && r.interfaces.some((i) => i.switch === b.switch);
  const router = routers.find((r) => joins(r) && routerRuns(r));
  return router ? { design: 'routed', router: router.name } : { design: 'isolated' };
}

/** The ordered pairs of the matrix: every port to every other, or those of one switch. */
export function matrixPairs(ports: readonly MatrixPort[], onlySwitch?: string): [MatrixPort, MatrixPort][] {
  const chosen = ports.filter((p) => onlySwitch === undefined || p.switch === onlySwitch);
  return chosen.flatMap((a) => chosen.filter((b) => b !== a).map((b): [MatrixPort, MatrixPort] => [a, b]));
}

function found(path: TracePath): PairTrace {
  const drop = path.hops.find((h) => h.observation === 'dropped');
  return {
    delivered: path.delivered,
    ...(path.reason ? { reason: path.reason } : {}),
    ...(!path.delivered && drop ? { node: drop.node } : {}),
  };
}

/** A pair judged by its trace (or the error that kept it from being traced). */
export function judgePair(routers: readonly MatrixRouter[], a: MatrixPort, b: MatrixPort, trace: TraceResult | Error): ConnectivityPair {
  const { design, router } = designOf(routers, a, b);
  const base = { from: a.name, to: b.name, design, ...(router ? { router } : {}) };
  if (trace instanceof Error) return { ...base, status: 'broken', reason: 'error', detail: trace.message };
  const seen = {
    ...(trace.predicted ? { predicted: found(trace.predicted) } : { predicted: found(trace) }),
    ...(trace.observed ? { injected: found(trace.observed) } : {}),
  };
  if (trace.divergence) {
    const d = trace.divergence;
    const detail = `the injected packet left the predicted path at ${d.node}: predicted ${d.predicted}, observed ${d.observed}`;
    return { ...base, status: 'broken', reason: 'divergence', node: d.node, detail, ...seen, divergence: d };
  }
  const wanted = design !== 'isolated';
  if (wanted && trace.delivered) return { ...base, status: 'reachable', ...seen };
  if (!wanted && !trace.delivered) return { ...base, status: 'isolated', ...seen };
  if (!wanted) {
    const detail = `delivered, though no router with an uplink joins switch ${a.switch} and switch ${b.switch}`;
    return { ...base, status: 'broken', reason: 'leak', detail, ...seen };
  }
  const at = found(trace);
  return {
    ...base,
    status: 'broken',
    reason: trace.reason ?? 'no-flow',
    ...(at.node ? { node: at.node } : {}),
    detail: summarizeTrace({ ...trace, to: b.name }),
    ...seen,
  };
}

/** The matrix's summary counts. */
export function summarize(pairs: readonly ConnectivityPair[]): ConnectivityMatrix['summary'] {
  const count = (s: ConnectivityPair['status']) => pairs.filter((p) => p.status === s).length;
  return { reachable: count('reachable'), isolated: count('isolated'), broken: count('broken') };
}
