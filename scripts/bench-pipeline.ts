// npm run bench:pipeline: the CPU a controller member spends computing one node's br-int (its
// desired flows, and the difference from what it installed last) with one switch over 20
// hypervisors and 30 ports, the bench:controller lab. Prints, after warming up, per node and
// as the median of 40 rounds:
//   pipeline hv=20 compute=<ms> reconcile=<ms>                   from scratch each time
//   pipeline hv=20 port-added compute=<ms> reconcile=<ms>        a port added per round, as a
//                                                                master sees it (PipelineMemo)
import { desiredFlows, desiredTunnels, installed, PipelineMemo, reconcile, type NodeFacts } from '../src/controller/pipeline/index.ts';
import type { LogicalState, StatePort } from '../src/model/index.ts';
import { median } from './bench-support.ts';

const N = 20;
const ROUNDS = 80;
const hex = (n: number) => n.toString(16).padStart(2, '0');
const nodes = Array.from({ length: N }, (_, i) => ({
  name: `hv${i + 1}`,
  role: 'hypervisor' as const,
  encap: 'geneve' as const,
  underlayIp: `172.30.0.${i + 10}`,
  underlayMac: `02:00:00:00:00:${hex(i + 16)}`,
}));
const port = (i: number): StatePort => ({
  name: `vm${i + 1}`,
  switch: 'net',
  mac: `02:00:00:01:${hex(i >> 8)}:${hex(i & 255)}`,
  ip: `10.0.${i >> 8}.${i & 255}`,
  node: `hv${(i % N) + 1}`,
});
const ports = Array.from({ length: N + 10 }, (_, i) => port(i));
const logical: LogicalState = { nodes, switches: [{ name: 'net', vni: 5001, replication: 'source', encap: 'geneve' }], ports, routers: [] };
const factsOf = (state: LogicalState): NodeFacts[] =>
  nodes.map((n) => ({
    vmPorts: new Map(state.ports.filter((p) => p.node === n.name).map((p, k) => [p.name, k + 1])),
    tunnelPorts: new Map(desiredTunnels(state, n.name).map((t, k) => [t.name, k + 100])),
  }));

function measure(label: string, next: (round: number) => { state: LogicalState; facts: NodeFacts[] }, memos?: PipelineMemo[]): void {
  const first = next(-1);
  let before = nodes.map((n, i) => installed(desiredFlows(first.state, n.name, first.facts[i]!, memos?.[i])));
  const compute: number[] = [];
  const diff: number[] = [];
  let changes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const { state, facts } = next(round);
    let c = 0;
    let d = 0;
    const after = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const desired = desiredFlows(state, nodes[i]!.name, facts[i]!, memos?.[i]);
      const t1 = performance.now();
      changes += reconcile(desired, before[i]!).length;
      c += t1 - t0;
      d += performance.now() - t1;
      after.push(installed(desired));
    }
    if (memos) before = after;
    if (round >= ROUNDS / 2) {
      compute.push(c / N);
      diff.push(d / N);
    }
  }
  console.log(`pipeline hv=${N}${label} compute=${median(compute).toFixed(3)} reconcile=${median(diff).toFixed(3)}`);
  if (process.env.NVLAB_BENCH_TRACE) process.stderr.write(`  ${(changes / ROUNDS / N).toFixed(2)} changes per node per round\n`);
}

// A fresh state object each round, as a port added through the API gives the members.
const facts = factsOf(logical);
measure('', () => ({ state: { ...logical, ports: [...logical.ports] }, facts }));

let grown = logical;
measure(
  ' port-added',
  (round) => {
    if (round >= 0) grown = { ...grown, ports: [...grown.ports, port(ports.length + round)] };
    return { state: grown, facts: factsOf(grown) };
  },
  nodes.map(() => new PipelineMemo()),
);
