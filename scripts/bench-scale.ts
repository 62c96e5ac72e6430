// npm run bench:scale [-- SIZES...] [--members 3|5] [--tls on|off] [--seed N]
// NVP's evaluation of its controller cluster (NSDI 2014, section 7) on a real nvlab cluster of 3
// (or 5) members, against simulated transport nodes (src/simulator: each a real OVSDB server and
// OpenFlow 1.3 switch in this process, no data plane), for each size (default 100 1000 3000)
// with NVP's mix: 21 VIFs per node, switches of 2 to 64 ports, 9 on average. Lines, per size:
//   load            the logical state pushed through the API (nodes, switches, ports; rate)
//   first-programming  nodes connected in waves, until every node is correct
//   sizes           flows and tunnels per node (mean, max)
//   cold-start      every member stopped, every node's flows cleared, members started: until
//                   every node is correct
//   restore         every member's store wiped at once, the state restored from a snapshot of
//                   the store (NVP's way), then again pushed through the API instead; nodes
//                   that lost a flow meanwhile (should be none)
//   failover        the member mastering most nodes killed: until its nodes have a new master
//                   and are correct
//   steady-state    10 ports added one by one (API call to the last flow on the last node of the
//                   switch; the VIF plugged at the same instant), then deleted: p50, p95
//   member-cpu-per-change, one-port (flow-mods and the nodes they reached)
//   members         memory (rss) and CPU used per phase
// "Correct": every node holds exactly the flows, groups and tunnels the pipeline computes for it
// from the cluster's state and the node's ports (src/simulator/check.ts).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { createRuntime } from '../src/app/runtime.ts';
import { Checker, Fleet, extraPorts, vifsByNode, workload, type SimulatedNodeOptions } from '../src/simulator/index.ts';
import { mapLimit } from '../src/util/pool.ts';
import type { TlsCredentials } from '../src/util/tls.ts';
import { cpuMsBetween, deployCluster, destroyCluster, memberUsage, type Cluster } from './bench-scale-cluster.ts';
import { loadWorkload } from './bench-scale-load.ts';
import { sleep } from './bench-support.ts';
import {
  coldStart,
  failover,
  firstProgramming,
  onePort,
  readResources,
  restore,
  settle,
  steadyState,
  type Bench,
} from './bench-scale-tests.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const members = Number(flag('--members') ?? 3);
const tls = (flag('--tls') ?? 'off') === 'on';
const seed = Number(flag('--seed') ?? 1);
// --idle S: seconds of idle after first programming (members' CPU while nothing changes);
// --hold: stop after that, leaving the lab up (for profiling; destroyed on Ctrl-C).
const idleSeconds = Number(flag('--idle') ?? 20);
const hold = args.includes('--hold');
const flagged = new Set(
  ['--members', '--tls', '--seed', '--idle'].flatMap((f) => (args.includes(f) ? [args.indexOf(f), args.indexOf(f) + 1] : [])),
);
const sizes = args
  .filter((_, i) => !flagged.has(i))
  .map(Number)
  .filter((n) => n > 0);

// Thousands of nodes' flow tables and the check's desired flows take more than Node's default
// heap: the bench runs itself again with a larger one.
if (getHeapStatistics().heap_size_limit < 8e9 && !process.env.NVLAB_BENCH_SCALE_CHILD) {
  const child = spawn(process.execPath, ['--max-old-space-size=12288', ...process.execArgv, process.argv[1]!, ...args], {
    stdio: 'inherit',
    env: { ...process.env, NVLAB_BENCH_SCALE_CHILD: '1' },
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
} else {
  await main();
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function nodeCredentials(c: Cluster, names: string[]): Promise<Map<string, TlsCredentials>> {
  const { issueCertificate } = await import('../src/pki/index.ts');
  const authorities = c.secrets.authorities!;
  const pairs = await mapLimit(names, 16, (name) => issueCertificate(authorities.nodes, { commonName: name }));
  return new Map(
    names.map((name, i) => [name, { key: pairs[i]!.privateKey, cert: pairs[i]!.certificate, ca: authorities.controllers.certificate }]),
  );
}

async function runSize(n: number, runtime: Awaited<ReturnType<typeof createRuntime>>, dir: string, cleanup: { fleet?: Fleet }) {
  const tag = `n=${n} members=${members} tls=${tls ? 'on' : 'off'}`;
  const out = (line: string) => console.log(`${tag} ${line}`);
  log(`== ${tag}`);
  let t0 = performance.now();
  const cluster = await deployCluster(runtime, members, tls, dir);
  log(`  cluster deployed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const w = workload({ nodes: n, seed });
  const load = await loadWorkload(cluster.api, w, log);
  const total = load.nodesMs + load.switchesMs + load.portsMs;
  out(
    `load nodes=${w.nodes.length} switches=${w.switches.length} ports=${w.ports.length} in ${(total / 1000).toFixed(1)}s ` +
      `(ports ${((w.ports.length * 1000) / load.portsMs).toFixed(0)}/s)`,
  );
  const credentials = tls
    ? await nodeCredentials(
        cluster,
        w.nodes.map((x) => x.name),
      )
    : undefined;
  const vifs = vifsByNode(w.ports);
  const macs = new Map(w.ports.map((p) => [p.name, p.mac]));
  t0 = performance.now();
  const specs: SimulatedNodeOptions[] = w.nodes.map((node, index) => ({
    name: node.name,
    index,
    underlayIp: node.underlayIp,
    vifs: (vifs.get(node.name) ?? []).map((port) => ({ port, mac: macs.get(port)! })),
  }));
  const fleet = new Fleet(specs, { memberIps: cluster.ips, ...(credentials ? { tls: (name: string) => credentials.get(name)! } : {}) });
  cleanup.fleet = fleet;
  log(`  ${n} simulated nodes made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const b: Bench = {
    runtime,
    cluster,
    fleet,
    checker: new Checker(),
    workload: w,
    ...(await readResources({ cluster })),
    timeoutMs: 120_000 + 100 * n,
    log,
  };
  const phase = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    const before = await memberUsage(cluster);
    const self = process.cpuUsage();
    const t = performance.now();
    const result = await run();
    const cpu = cpuMsBetween(before, await memberUsage(cluster));
    const mine = process.cpuUsage(self);
    log(
      `  ${what}: ${((performance.now() - t) / 1000).toFixed(1)} s; CPU: ${[...cpu].map(([m, ms]) => `${m}=${(ms / 1000).toFixed(1)}s`).join(' ')} ` +
        `simulator=${((mine.user + mine.system) / 1e6).toFixed(1)}s`,
    );
    return result;
  };
  out(await phase('first programming', () => firstProgramming(b)));
  const sizes = fleet.sizes();
  out(
    `sizes flows/node mean=${sizes.flows.mean.toFixed(0)} max=${sizes.flows.max} tunnels/node mean=${sizes.tunnels.mean.toFixed(0)} max=${sizes.tunnels.max}`,
  );
  out(`members ${await memoryLine(cluster)} (after first programming)`);
  out(await phase(`idle ${idleSeconds} s`, () => idle(cluster, idleSeconds)));
  if (hold) {
    log('  --hold: the lab stays up; Ctrl-C destroys it');
    await new Promise(() => {});
  }
  const added = extraPorts(w, 11, seed + 1);
  for (const line of await phase('steady state', () => steadyState(b, added.slice(0, 10)))) out(line);
  out(await phase('one port', () => onePort(b, added[10]!)));
  out(await phase('failover', () => failover(b)));
  out(await phase('restore from a snapshot', () => restore(b, 'snapshot')));
  await settle(b);
  out(await phase('restore through the API', () => restore(b, 'api')));
  await settle(b);
  out(await phase('cold start', () => coldStart(b)));
  out(`members ${await memoryLine(cluster)} (at the end)`);
  await fleet.stop();
  cleanup.fleet = undefined;
  await destroyCluster(runtime);
}

/** Members' CPU while nothing changes: what keeping nodes correct costs by itself. */
async function idle(c: Cluster, seconds: number): Promise<string> {
  const before = await memberUsage(c);
  await sleep(seconds * 1000);
  const cpu = cpuMsBetween(before, await memberUsage(c));
  return `idle-cpu ${[...cpu].map(([m, ms]) => `${m}=${(ms / seconds / 10).toFixed(0)}%`).join(' ')} (of one core, over ${seconds} s)`;
}

async function memoryLine(c: Cluster): Promise<string> {
  const usage = await memberUsage(c);
  const self = process.memoryUsage().rss;
  return `${[...usage].map(([m, u]) => `${m}=${(u.rssBytes / 1e6).toFixed(0)}MB`).join(' ')} simulator=${(self / 1e6).toFixed(0)}MB`;
}

async function main(): Promise<void> {
  const runtime = await createRuntime();
  const dir = await mkdtemp(join(tmpdir(), 'nvlab-bench-scale-'));
  const cleanup: { fleet?: Fleet } = {};
  let cleaning: Promise<void> | undefined;
  const clean = () =>
    (cleaning ??= (async () => {
      await cleanup.fleet?.stop().catch(() => {});
      await destroyCluster(runtime);
      await rm(dir, { recursive: true, force: true });
    })());
  // Ctrl-C: the lab goes too.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      log(`${sig}: destroying the bench lab`);
      void clean().finally(() => process.exit(130));
    });
  }
  try {
    for (const n of sizes.length ? sizes : [100, 1000, 3000]) await runSize(n, runtime, dir, cleanup);
  } finally {
    await clean();
  }
}
