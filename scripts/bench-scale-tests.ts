// bench:scale's tests, after NVP's (NSDI 2014, section 7): cold start, restore, failover, steady
// state, each timed to a correct state (every simulated node holding exactly what the pipeline
// computes for it); and the cost of one change (flow-mods, and which nodes they reach).
import type { Runtime } from '../src/runtime/runtime.ts';
import { switchHosts } from '../src/controller/pipeline/index.ts';
import { unwrap } from '../src/northbound-client/index.ts';
import {
  logicalState,
  LogicalPortSchema,
  type LogicalPort,
  type LogicalPortInput,
  type LogicalState,
  type LogicalSwitch,
  type TransportNode,
} from '../src/model/index.ts';
import { type Checker, describeMismatches, type Fleet, type SimulatedNode, type Workload } from '../src/simulator/index.ts';
import { waitCorrect, type Converged } from '../src/simulator/converge.ts';
import {
  cpuMsBetween,
  memberUsage,
  snapshotStore,
  startMembers,
  stopMembers,
  waitAvailable,
  wipeStores,
  type Cluster,
} from './bench-scale-cluster.ts';
import { loadWorkload } from './bench-scale-load.ts';
import { percentile, sleep } from './bench-support.ts';

export interface Bench {
  runtime: Runtime;
  cluster: Cluster;
  fleet: Fleet;
  checker: Checker;
  workload: Workload;
  /** The resources as the API holds them, and the logical state made of them. */
  resources: { nodes: TransportNode[]; switches: LogicalSwitch[]; ports: LogicalPort[] };
  state: LogicalState;
  /** A phase that takes longer is reported as not converged. */
  timeoutMs: number;
  log(line: string): void;
}

/** Reads the resources back from the API and makes the state the checks use. */
export async function readResources(b: Pick<Bench, 'cluster'>): Promise<Pick<Bench, 'resources' | 'state'>> {
  const api = b.cluster.api;
  const [nodes, switches, ports] = await Promise.all([api.transportNodes.list(), api.logicalSwitches.list(), api.logicalPorts.list()]);
  const resources = { nodes: unwrap(nodes), switches: unwrap(switches), ports: unwrap(ports) };
  return { resources, state: logicalState(resources.nodes, resources.switches, resources.ports) };
}

/** Waits until `nodes` are correct, timed from `since`, and describes the wrong ones if they are
 *  not `b.timeoutMs` after the call (the first programming's waves of connections may already
 *  have taken longer than that). */
async function converge(b: Bench, since: number, what: string, nodes: readonly SimulatedNode[] = b.fleet.nodes): Promise<Converged> {
  const timeoutMs = performance.now() - since + b.timeoutMs;
  const result = await waitCorrect(b.checker, b.state, nodes, { since, timeoutMs, log: b.log });
  if (result.ms === undefined) {
    b.log(`  ${what}: ${result.wrong.length} nodes not correct after waiting ${b.timeoutMs / 1000} s more:`);
    for (const line of describeMismatches(result.wrong)) b.log(`    ${line}`);
  }
  return result;
}

const secs = (ms: number | undefined) => (ms === undefined ? 'timeout' : `${(ms / 1000).toFixed(2)}s`);

/** Connects the fleet in waves and waits until the cluster has programmed every node. */
export async function firstProgramming(b: Bench): Promise<string> {
  const t0 = performance.now();
  let lastLog = 0;
  await b.fleet.start({
    // Paced on the members: the next wave once this one's nodes each have a master (a member
    // took its database and its switch, and asserted itself).
    ready: (n) => b.fleet.linked(n) && n.master() !== undefined,
    onWave: (started, total) => {
      if (performance.now() - lastLog > 5000 || started === total) {
        lastLog = performance.now();
        b.log(`  connected ${started}/${total} nodes (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
    },
  });
  const connected = performance.now() - t0;
  const done = await converge(b, t0, 'first programming');
  return `first-programming connect=${secs(connected)} correct=${secs(done.ms)} checks=${done.checks} check-cpu=${secs(done.checkMs)}`;
}

/** Cold start: every member down, every node's flows cleared, then all members start. */
export async function coldStart(b: Bench): Promise<string> {
  await stopMembers(b.runtime, b.cluster);
  for (const n of b.fleet.nodes) n.clearFlows();
  const t0 = performance.now();
  await startMembers(b.runtime, b.cluster);
  const started = performance.now() - t0;
  const masters = await everyNodeMastered(b, t0);
  const done = await converge(b, t0, 'cold start');
  return `cold-start members-up=${secs(started)} all-mastered=${secs(masters)} correct=${secs(done.ms)}`;
}

/**
 * Restore: the cluster loses its state (every member's store wiped at once) while the nodes keep
 * their flows, and gets it back: from a snapshot of the store taken before (`snapshot`, as NVP
 * restored), or pushed again through the API (`api`). No node may lose a flow meanwhile.
 */
export async function restore(b: Bench, from: 'snapshot' | 'api'): Promise<string> {
  if (from === 'snapshot') await snapshotStore(b.runtime, b.cluster);
  const counts = new Map(b.fleet.nodes.map((n) => [n, n.switch.flowCount]));
  for (const n of b.fleet.nodes) n.resetLowWater();
  const mods0 = b.fleet.modCounts();
  const t0 = performance.now();
  await wipeStores(b.runtime, b.cluster, { fromSnapshot: from === 'snapshot' });
  await waitAvailable(b.cluster);
  const back = performance.now() - t0;
  let reload = '';
  if (from === 'api') {
    const load = await loadWorkload(b.cluster.api, b.workload, b.log);
    reload = ` reload=${((load.nodesMs + load.switchesMs + load.portsMs) / 1000).toFixed(1)}s (all pushed at ${secs(performance.now() - t0)})`;
  }
  Object.assign(b, await readResources(b));
  const masters = await everyNodeMastered(b, t0);
  const done = await converge(b, t0, `restore from ${from}`);
  const lost = b.fleet.nodes.filter((n) => n.resetLowWater() < counts.get(n)!);
  const mods = sumDelta(mods0, b.fleet.modCounts());
  return (
    `restore from=${from} cluster-back=${secs(back)}${reload} all-mastered=${secs(masters)} correct=${secs(done.ms)} mods-during=${mods} ` +
    `nodes-that-lost-flows=${lost.length}${
      lost.length
        ? ` (${lost
            .slice(0, 5)
            .map((n) => n.name)
            .join(', ')}...)`
        : ''
    }`
  );
}

/** Ms from `t0` until every node's switch has a master (undefined after the bench's timeout). */
async function everyNodeMastered(b: Bench, t0: number): Promise<number | undefined> {
  while (performance.now() - t0 < b.timeoutMs) {
    if (b.fleet.nodes.every((n) => n.master() !== undefined)) return performance.now() - t0;
    await sleep(50);
  }
  return undefined;
}

/** Which member (by name) each node's switch has as master now. */
function mastersByNode(b: Bench): Map<SimulatedNode, string | undefined> {
  const byIp = new Map(b.cluster.members.map((m) => [m.mgmtIp, m.name]));
  return new Map(b.fleet.nodes.map((n) => [n, byIp.get(/:([\d.]+):/.exec(n.master() ?? '')?.[1] ?? '')]));
}

/** Failover: the member mastering the most nodes is killed; until each of its nodes has another
 *  master and is correct (its flows unchanged, or repaired). */
export async function failover(b: Bench): Promise<string> {
  let masters = mastersByNode(b);
  for (const deadline = Date.now() + 60_000; [...masters.values()].some((m) => m === undefined) && Date.now() < deadline;) {
    await sleep(200);
    masters = mastersByNode(b);
  }
  const load = new Map<string, number>();
  for (const m of masters.values()) if (m) load.set(m, (load.get(m) ?? 0) + 1);
  const victim = [...load].sort((x, y) => y[1] - x[1])[0]![0];
  const orphans = [...masters].filter(([, m]) => m === victim).map(([n]) => n);
  const member = b.cluster.members.find((m) => m.name === victim)!;
  const t0 = performance.now();
  await b.runtime.kill(member.container);
  for (;;) {
    const now = mastersByNode(b);
    if (orphans.every((n) => now.get(n) !== undefined && now.get(n) !== victim)) break;
    if (performance.now() - t0 > b.timeoutMs) break;
    await sleep(10);
  }
  const newMaster = performance.now() - t0;
  const done = await converge(b, t0, 'failover', orphans);
  const ms = done.ms === undefined ? undefined : Math.max(newMaster, done.ms);
  await b.runtime.start(member.container);
  await settle(b);
  return `failover killed=${victim} orphans=${orphans.length} new-master=${secs(newMaster)} correct=${secs(ms)}`;
}

/** Waits until every member masters some nodes again and every node has a master (a restarted
 *  member takes its share back), and every node is correct. */
export async function settle(b: Bench): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500)) {
    const masters = [...mastersByNode(b).values()];
    if (masters.every((m) => m !== undefined) && new Set(masters).size === Math.min(b.cluster.members.length, masters.length)) break;
  }
  await converge(b, performance.now(), 'settle');
}

function sumDelta(before: Map<string, number>, after: Map<string, number>): number {
  let sum = 0;
  for (const [k, v] of after) sum += v - (before.get(k) ?? 0);
  return sum;
}

/** The state with `port` in it, or without the port of that name. */
function withPort(b: Bench, port: LogicalPortInput, present: boolean): LogicalState {
  const ports = b.resources.ports.filter((p) => p.name !== port.name);
  if (present) ports.push(LogicalPortSchema.parse(port));
  b.resources = { ...b.resources, ports };
  return logicalState(b.resources.nodes, b.resources.switches, ports);
}

/** Adds (or removes) one port through the API and plugs (unplugs) its VIF at the same instant;
 *  ms until every node of its switch is correct. */
async function changePort(b: Bench, port: LogicalPortInput, add: boolean): Promise<number | undefined> {
  const node = b.fleet.get(port.node!)!;
  const after = withPort(b, port, add);
  const hosts = new Set([...(switchHosts(after).get(port.switch) ?? []), ...(switchHosts(b.state).get(port.switch) ?? [])]);
  const nodes = b.fleet.nodes.filter((n) => hosts.has(n.name));
  b.state = after;
  const versions = new Map(nodes.map((n) => [n, n.version]));
  const t0 = performance.now();
  if (add) {
    node.plug({ port: port.name, mac: port.mac });
    unwrap(await b.cluster.api.logicalPorts.create(port));
  } else {
    node.unplug(port.name);
    unwrap(await b.cluster.api.logicalPorts.delete(port.name));
  }
  const done = await waitCorrect(b.checker, after, nodes, { since: t0, timeoutMs: 30_000, quietMs: 0, pollMs: 5, expectChange: versions });
  if (process.env.NVLAB_BENCH_TRACE)
    b.log(
      `    ${add ? 'add' : 'delete'} ${port.name} on ${port.node}: ${nodes.length} nodes, ${done.ms?.toFixed(0)} ms, ${done.checks} checks`,
    );
  if (done.ms === undefined) for (const line of describeMismatches(done.wrong)) b.log(`    ${port.name}: ${line}`);
  return done.ms;
}

/**
 * Waits (up to 2 min) until no member uses more than a quarter of a core over 3 s, the first
 * round of the members' periodic verification of their switches (all taken at once, so verified
 * at about the same time) being over; then what each member uses idle, over 5 s.
 */
async function quietMembers(b: Bench): Promise<{ idle: Map<string, number>; idleMs: number }> {
  for (const deadline = performance.now() + 120_000; performance.now() < deadline;) {
    const u0 = await memberUsage(b.cluster);
    await sleep(3000);
    const busiest = Math.max(...cpuMsBetween(u0, await memberUsage(b.cluster)).values());
    if (busiest < 750) break;
  }
  const u0 = await memberUsage(b.cluster);
  const t0 = performance.now();
  await sleep(5000);
  return { idle: cpuMsBetween(u0, await memberUsage(b.cluster)), idleMs: performance.now() - t0 };
}

/** Steady state: 10 ports added one at a time (API call to the last flow on the last node of the
 *  switch), then deleted; each member's CPU per change, its idle rate (measured first) taken off. */
export async function steadyState(b: Bench, ports: readonly LogicalPortInput[]): Promise<string[]> {
  const up: number[] = [];
  const down: number[] = [];
  const { idle, idleMs } = await quietMembers(b);
  const busy = new Map<string, number>();
  const timed = async (port: LogicalPortInput, add: boolean) => {
    const before = await memberUsage(b.cluster);
    const t0 = performance.now();
    const ms = await changePort(b, port, add);
    const window = performance.now() - t0;
    for (const [m, cpu] of cpuMsBetween(before, await memberUsage(b.cluster)))
      busy.set(m, (busy.get(m) ?? 0) + cpu - ((idle.get(m) ?? 0) / idleMs) * window);
    await sleep(200);
    return ms;
  };
  for (const p of ports) {
    const ms = await timed(p, true);
    if (ms !== undefined) up.push(ms);
  }
  for (const p of ports) {
    const ms = await timed(p, false);
    if (ms !== undefined) down.push(ms);
  }
  const changes = ports.length * 2;
  const perChange = [...busy].map(([m, ms]) => `${m}=${(ms / changes).toFixed(1)}`).join(' ');
  const idleRate = [...idle].map(([m, ms]) => `${m}=${((ms / idleMs) * 100).toFixed(1)}%`).join(' ');
  const stat = (xs: number[]) => (xs.length ? `p50=${percentile(xs, 0.5).toFixed(0)}ms p95=${percentile(xs, 0.95).toFixed(0)}ms` : 'none');
  return [
    `steady-state port-up ${stat(up)} (${up.length}/${ports.length} correct) port-delete ${stat(down)}`,
    `member-cpu-per-change ms ${perChange} (over each change's window, the member's idle use of it, ${idleRate}, taken off)`,
  ];
}

/** One port added: how many flow-mods and group-mods it sent, and to which nodes (only those of
 *  its switch should get any). Removed again afterwards. */
export async function onePort(b: Bench, port: LogicalPortInput): Promise<string> {
  const before = b.fleet.modCounts();
  const ms = await changePort(b, port, true);
  await sleep(2000); // anything late would show too
  const after = b.fleet.modCounts();
  const hosts = new Set(switchHosts(b.state).get(port.switch) ?? []);
  const reached = [...after].filter(([n, c]) => c > (before.get(n) ?? 0)).map(([n]) => n);
  const outside = reached.filter((n) => !hosts.has(n));
  await changePort(b, port, false);
  return (
    `one-port mods=${sumDelta(before, after)} nodes-reached=${reached.length} switch-nodes=${hosts.size} ` +
    `outside-switch=${outside.length} correct=${secs(ms)}`
  );
}
