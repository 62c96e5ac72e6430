// `nvlab connectivity`: the port connectivity matrix of a running lab. Each ordered pair of
// logical ports is traced (predicted, and injected where asked), a few at a time, and judged
// against the design (matrix.ts).
import type { ConnectivityMatrix, TraceRequestInput, TraceResult } from '../../model/index.ts';
import { NvlabError } from '../../util/errors.ts';
import { judgePair, matrixPairs, summarize, type MatrixPort, type MatrixRouter } from './matrix.ts';

export { designOf, judgePair, matrixPairs, summarize, type MatrixPort, type MatrixRouter } from './matrix.ts';

export interface ConnectivityInput {
  lab: string;
  ports: readonly MatrixPort[];
  routers: readonly MatrixRouter[];
  /** A trace of one unicast packet between two ports. */
  trace: (request: TraceRequestInput) => Promise<TraceResult>;
  /** Only the ports of this logical switch. */
  switch?: string | undefined;
  injected: boolean;
  /** Traces at once; the nodes answer each trace's execs, a few in parallel keep them busy. */
  concurrency?: number;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function connectivityMatrix(input: ConnectivityInput): Promise<ConnectivityMatrix> {
  const { lab, ports, routers } = input;
  if (input.switch !== undefined && !ports.some((p) => p.switch === input.switch)) {
    throw new NvlabError('NO_SWITCH', `lab ${lab} has no logical switch ${input.switch} with ports`, { exitCode: 2 });
  }
  const pairs = await mapLimited(matrixPairs(ports, input.switch), input.concurrency ?? 4, async ([a, b]) => {
    const trace = await input
      .trace({ from: a.name, to: b.name, proto: 'icmp' })
      .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    return judgePair(routers, a, b, trace);
  });
  const shown = ports.filter((p) => input.switch === undefined || p.switch === input.switch);
  return {
    lab,
    ...(input.switch !== undefined ? { switch: input.switch } : {}),
    injected: input.injected,
    ports: shown.map((p) => ({ name: p.name, switch: p.switch, ...(p.node ? { node: p.node } : {}) })),
    pairs,
    summary: summarize(pairs),
  };
}
