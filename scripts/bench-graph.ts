// npm run bench:graph: nvlab graph of a 200-node topology file (nothing deployed).
//   graph nodes=<n> edges=<n> cli=<ms> library=<ms>
//   graph svg cold=<ms> cli=<ms> library=<ms> layout-first=<ms> layout=<ms>
//   graph html cold=<ms> cli=<ms> library=<ms> bytes=<n>
// cli: the whole `nvlab graph FILE --format dot|svg|html` process (node's start-up included),
// median of 5; for svg and html, ELK's answers are then on disk from the run before
// (.cache/graph/placements/), as when the same file is drawn again. cold: the same command on
// a file never drawn: the placements emptied before each run, ELK asked (its code compiled from
// V8's cache, as after any first drawing), median of 3. library: load, validate, plan, build the
// graph and render it in a running process, median of 5 (dot; svg and html include a fresh ELK
// layout each time, no layout reused, nothing read from disk); layout-first: the first layout in
// a process (ELK loaded and its code not yet optimised, as in every cold CLI run), layout: the
// median of the next 5.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { nodeElk } from '../src/graph/elk-node.ts';
import { toHtml } from '../src/graph/html.ts';
import { PLACEMENTS_DIR } from '../src/graph/layout-cache.ts';
import { graphFromPlan, layoutGraph, toDot, toSvg, type LabGraph } from '../src/graph/index.ts';
import { loadTopology } from '../src/topology/load.ts';
import { planLab } from '../src/topology/plan.ts';
import { projectRoot } from '../src/util/paths.ts';
import { median } from './bench-support.ts';

const HYPERVISORS = 190;
const SERVICE_NODES = 4;
const GATEWAYS = 6;

function topology(): string {
  const hv = Array.from({ length: HYPERVISORS }, (_, i) => `  hv${i + 1}: hypervisor`);
  const sn = Array.from({ length: SERVICE_NODES }, (_, i) => `  sn${i + 1}: service-node`);
  const gw = Array.from({ length: GATEWAYS }, (_, i) => `  gw${i + 1}: l3-gateway`);
  const switches = Array.from({ length: 10 }, (_, s) => {
    const ports = Array.from({ length: 19 }, (_, p) => `      s${s}p${p}: { on: hv${s * 19 + p + 1}, ip: 10.${s}.0.${p + 10} }`);
    return [`  net${s}:`, `    subnet: 10.${s}.0.0/24`, '    replication: service-node', '    ports:', ...ports].join('\n');
  });
  const routerSwitches = Array.from({ length: 10 }, (_, s) => `net${s}: 10.${s}.0.1`).join(', ');
  return [
    'name: benchgraph',
    'controllers: 3',
    'transport-nodes:',
    ...hv,
    ...sn,
    ...gw,
    'physical-networks:',
    '  internet:',
    '    subnet: 203.0.113.0/24',
    '    hosts:',
    '      www: 203.0.113.80',
    'logical-switches:',
    ...switches,
    'logical-routers:',
    '  edge:',
    `    switches: { ${routerSwitches} }`,
    '    uplink: { network: internet, ip: 203.0.113.2, gateways: [gw1, gw2], snat: true }',
    '',
  ].join('\n');
}

/** The median of `runs` CLI runs, in ms; `cold`: ELK's kept answers removed before each. */
const cliRuns = async (file: string, format: string, out: string, runs = 5, cold = false): Promise<number> => {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (cold) await rm(PLACEMENTS_DIR, { recursive: true, force: true });
    const t0 = performance.now();
    await execa('node', [join(projectRoot, 'bin/nvlab.js'), 'graph', file, '--format', format, '-o', out]);
    times.push(performance.now() - t0);
  }
  return Math.round(median(times));
};

/** `cold=<ms> cli=<ms>` of a format: runs on a file never drawn, then drawn again. */
async function cliFigures(file: string, format: string, out: string): Promise<string> {
  const cold = await cliRuns(file, format, out, 3, true);
  return `cold=${cold} cli=${await cliRuns(file, format, out)}`;
}

/** The median of 5 runs of `work`, in ms. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  return Math.round(median(times));
}

async function drawn(file: string, dir: string): Promise<void> {
  const graphOf = async (): Promise<LabGraph> => graphFromPlan(planLab((await loadTopology(file)).topology));
  const graph = await graphOf();
  const fresh = { reuse: false, elk: nodeElk };
  const t0 = performance.now();
  await layoutGraph(graph, fresh);
  const first = Math.round(performance.now() - t0);
  const layout = await timed(() => layoutGraph(graph, fresh));
  const svg = await timed(async () => toSvg(await layoutGraph(await graphOf(), fresh)));
  console.log(`graph svg ${await cliFigures(file, 'svg', join(dir, 'big.svg'))} library=${svg} layout-first=${first} layout=${layout}`);
  let bytes = 0;
  const html = await timed(async () => (bytes = (await toHtml(await graphOf(), { layout: fresh })).length));
  console.log(`graph html ${await cliFigures(file, 'html', join(dir, 'big.html'))} library=${html} bytes=${bytes}`);
}

const dir = await mkdtemp(join(tmpdir(), 'nvlab-bench-graph-'));
try {
  const file = join(dir, 'big.yaml');
  await writeFile(file, topology());
  const library: number[] = [];
  let size = '';
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const graph = graphFromPlan(planLab((await loadTopology(file)).topology));
    toDot(graph);
    library.push(performance.now() - t0);
    size = `nodes=${graph.nodes.length} edges=${graph.edges.length}`;
  }
  console.log(`graph ${size} cli=${await cliRuns(file, 'dot', join(dir, 'big.dot'))} library=${Math.round(median(library))}`);
  await drawn(file, dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
