// npm run bench:trace: the operations tools on a real lab of 20 hypervisors (3 controller
// members, one logical switch with a VM on every hypervisor).
//   trace predicted p50=<ms> p95=<ms>  nvlab trace without injection, VM to VM across nodes:
//                                      the controller's logical state and ofproto/trace on each
//                                      node the packet crosses, stitched (20 samples, random pairs)
//   trace injected p50=<ms> p95=<ms>   a marked packet injected through the traceflow API and
//                                      observed on every node, until its result is assembled
//   status p50=<ms> p95=<ms>           nvlab status of the whole lab: members, every node's
//                                      tunnels and counters, every port (10 samples)
// Each figure is the time of the library call the CLI makes, from a process already running
// (node's start-up, about 0.5 s, is not in it).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployLab } from '../src/app/deploy.ts';
import { destroyLab } from '../src/app/destroy.ts';
import { createRuntime } from '../src/app/runtime.ts';
import { labStatus } from '../src/app/status/index.ts';
import { injectThroughApi, labTracer } from '../src/app/trace/index.ts';
import { loadTopology } from '../src/topology/load.ts';
import { planLab } from '../src/topology/plan.ts';
import { percentile } from './bench-support.ts';

const LAB = 'benchtrace';
const HYPERVISORS = 20;
const SAMPLES = 20;
const runtime = await createRuntime();

function topology(n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  hv${i + 1}: hypervisor`).join('\n');
  const ports = Array.from({ length: n }, (_, i) => `      vm${i + 1}: { on: hv${i + 1}, ip: 10.0.0.${i + 10} }`).join('\n');
  return `name: ${LAB}\ncontrollers: 3\ntransport-nodes:\n${nodes}\nlogical-switches:\n  net:\n    subnet: 10.0.0.0/24\n    ports:\n${ports}\n`;
}

async function timed(samples: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await f(i);
    ms.push(performance.now() - t0);
  }
  return ms;
}

const figures = (ms: number[]) => `p50=${Math.round(percentile(ms, 0.5))} p95=${Math.round(percentile(ms, 0.95))}`;

/** Random pairs of VMs on different hypervisors, the same for every kind of trace. */
const pairs = Array.from({ length: SAMPLES }, () => {
  const a = 1 + Math.floor(Math.random() * HYPERVISORS);
  const b = 1 + ((a + Math.floor(Math.random() * (HYPERVISORS - 1))) % HYPERVISORS);
  return { from: `vm${a}`, to: `vm${b}` };
});

const dir = await mkdtemp(join(tmpdir(), 'nvlab-bench-'));
const file = join(dir, 'bench.yaml');
await writeFile(file, topology(HYPERVISORS));
await destroyLab(runtime, LAB);
try {
  const plan = planLab((await loadTopology(file)).topology, { usedSubnets: await runtime.usedSubnets() });
  await deployLab(runtime, plan);
  const tracer = await labTracer(runtime, LAB);
  const injecting = await labTracer(runtime, LAB, { inject: await injectThroughApi(runtime, LAB) });
  // One of each first: the members' and nodes' first answers are not what a user waits for later.
  await tracer(pairs[0]!);
  await injecting(pairs[0]!);
  await labStatus(runtime, LAB);
  const predicted = await timed(SAMPLES, async (i) => {
    const r = await tracer(pairs[i]!);
    if (!r.delivered) throw new Error(`predicted trace ${pairs[i]!.from} → ${pairs[i]!.to} not delivered: ${r.reason}`);
  });
  console.log(`trace predicted ${figures(predicted)}`);
  const injected = await timed(SAMPLES, async (i) => {
    const r = await injecting(pairs[i]!);
    if (!r.delivered || r.divergence)
      throw new Error(`injected trace ${pairs[i]!.from} → ${pairs[i]!.to}: ${JSON.stringify(r.divergence ?? r.reason)}`);
  });
  console.log(`trace injected ${figures(injected)}`);
  const status = await timed(10, async () => {
    const s = await labStatus(runtime, LAB);
    if (s.nodes.length !== HYPERVISORS) throw new Error(`status lists ${s.nodes.length} nodes`);
  });
  console.log(`status ${figures(status)}`);
} finally {
  await destroyLab(runtime, LAB);
  await rm(dir, { recursive: true, force: true });
}
