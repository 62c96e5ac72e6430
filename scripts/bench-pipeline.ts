// npm run bench:pipeline: the CPU a controller member spends computing one node's br-int (its
// desired flows, and the difference from what it installed last) with one switch over 20
// hypervisors and 30 ports, the bench:controller lab. Prints, after warming up,
//   pipeline hv=20 compute=<ms> reconcile=<ms>   per node, median of 40 rounds
import { desiredFlows, desiredTunnels, installed, reconcile, type LogicalState, type NodeFacts } from '../src/controller/pipeline/index.ts';

const N = 20;
const hex = (n: number) => n.toString(16).padStart(2, '0');
const nodes = Array.from({ length: N }, (_, i) => ({
  name: `hv${i + 1}`, role: 'hypervisor' as const, encap: 'geneve' as const, underlayIp: `172.30.0.${i + 10}`, underlayMac: `02:00:00:00:00:${hex(i + 16)}`,
}));
const ports = Array.from({ length: N + 10 }, (_, i) => ({ name: `vm${i + 1}`, switch: 'net', mac: `02:00:00:01:00:${hex(i + 16)}`, ip: `10.0.0.${i + 10}`, node: `hv${(i % N) + 1}` }));
const logical: LogicalState = { nodes, switches: [{ name: 'net', vni: 5001, replication: 'source', encap: 'geneve' }], ports, routers: [] };
const facts: NodeFacts[] = nodes.map((n) => ({
  vmPorts: new Map(ports.filter((p) => p.node === n.name).map((p, k) => [p.name, k + 1])),
  tunnelPorts: new Map(desiredTunnels(logical, n.name).map((t, k) => [t.name, k + 100])),
}));
const before = nodes.map((n, i) => installed(desiredFlows(logical, n.name, facts[i]!)));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const compute: number[] = [];
const diff: number[] = [];
for (let round = 0; round < 80; round++) {
  // A fresh state each round, as a port added through the API gives the members.
  const state: LogicalState = { ...logical, ports: [...logical.ports] };
  let c = 0;
  let d = 0;
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const desired = desiredFlows(state, nodes[i]!.name, facts[i]!);
    const t1 = performance.now();
    reconcile(desired, before[i]!);
    c += t1 - t0;
    d += performance.now() - t1;
  }
  if (round >= 40) {
    compute.push(c / N);
    diff.push(d / N);
  }
}
console.log(`pipeline hv=${N} compute=${median(compute).toFixed(2)} reconcile=${median(diff).toFixed(2)}`);
