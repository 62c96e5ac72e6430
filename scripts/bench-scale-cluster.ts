// bench:scale's controller cluster: a real nvlab lab of controller members only (no transport
// node: the simulator plays them), reached from this host on the members' management addresses;
// what the bench does to it (stop, start, kill, wipe its store) and reads from it (status,
// logical state, CPU and memory from the members' cgroups).
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { destroyLab } from '../src/app/destroy.ts';
import { apiCredentialsOf, readLabSecrets } from '../src/app/lab-state.ts';
import { membersOf, type LabSecrets } from '../src/nodes/index.ts';
import { memberStatus, northbound, unwrap, type ApiAccess, type NorthboundClient } from '../src/northbound-client/index.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import type { ControllerMemberPlan, LabPlan } from '../src/topology/plan-types.ts';
import { logicalState, PKI_FILES, STORE_PORT, STORE_RAFT_PORT, type LogicalState, type Status } from '../src/model/index.ts';
import { deployBenchLab, sleep } from './bench-support.ts';

export const LAB = 'benchscale';

export interface Cluster {
  plan: LabPlan;
  members: ControllerMemberPlan[];
  ips: string[];
  access: ApiAccess;
  api: NorthboundClient;
  secrets: LabSecrets;
  tls: boolean;
}

/** Deploys a lab of `members` controller members and nothing else. */
export async function deployCluster(runtime: Runtime, members: number, tls: boolean, dir: string): Promise<Cluster> {
  const topology = `name: ${LAB}\ncontrollers: ${members}\nsecurity: { tls: ${tls} }\n`;
  const plan = await deployBenchLab(runtime, LAB, topology, dir);
  ids.clear(); // new containers under the same names
  const secrets = await readLabSecrets(LAB);
  if (!secrets) throw new Error(`no state for lab ${LAB} on this host`);
  const access: ApiAccess = { credentials: apiCredentialsOf(secrets), client: 'cli' };
  const ms = membersOf(plan);
  const ips = ms.map((m) => m.mgmtIp);
  // The bench's writes come in bursts: give each request the whole minute (the default) to land.
  return { plan, members: ms, ips, access, api: northbound(ips, access), secrets, tls };
}

export const destroyCluster = (runtime: Runtime) => destroyLab(runtime, LAB).catch(() => {});

/** Each member's status, or undefined for one that does not answer within `timeoutMs`. */
export async function statuses(c: Cluster, timeoutMs = 2000): Promise<Map<string, Status | undefined>> {
  const answers = await Promise.all(
    c.members.map(async (m) => {
      const s = await memberStatus(m.mgmtIp, { timeoutMs, ...c.access });
      return [m.name, s.kind === 'ok' ? s.value : undefined] as const;
    }),
  );
  return new Map(answers);
}

/** Waits until a member answers with a store that is available (a quorum). */
export async function waitAvailable(c: Cluster, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const all = await statuses(c, 1000);
    if ([...all.values()].some((s) => s?.store.available)) return;
    await sleep(200);
  }
  throw new Error(`the cluster had no quorum within ${timeoutMs / 1000} s`);
}

/** The logical state as the members compute from it, read through the API's resources. */
export async function readLogicalState(c: Cluster): Promise<LogicalState> {
  const [nodes, switches, ports, routers, groups] = await Promise.all([
    c.api.transportNodes.list(),
    c.api.logicalSwitches.list(),
    c.api.logicalPorts.list(),
    c.api.logicalRouters.list(),
    c.api.securityGroups.list(),
  ]);
  return logicalState(unwrap(nodes), unwrap(switches), unwrap(ports), unwrap(routers), unwrap(groups));
}

/** Container id → its cgroup (v1, cgroupfs driver: /sys/fs/cgroup/<controller>/docker/<id>). */
const ids = new Map<string, string>();
async function containerId(container: string): Promise<string> {
  let id = ids.get(container);
  if (!id) ids.set(container, (id = (await execa('docker', ['inspect', '-f', '{{.Id}}', container])).stdout.trim()));
  return id;
}

export interface Usage {
  /** CPU time used since the container started, ns. */
  cpuNs: number;
  /** Resident memory (rss of its processes, no page cache), bytes. */
  rssBytes: number;
}

/** Each member's CPU and memory from its cgroup (v1; docker stats reads the same counters). */
export async function memberUsage(c: Cluster): Promise<Map<string, Usage>> {
  const out = new Map<string, Usage>();
  await Promise.all(
    c.members.map(async (m) => {
      try {
        const id = await containerId(m.container);
        const [cpu, mem] = await Promise.all([
          readFile(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, 'utf8'),
          readFile(`/sys/fs/cgroup/memory/docker/${id}/memory.stat`, 'utf8'),
        ]);
        const rss = Number(/^total_rss (\d+)$/m.exec(mem)?.[1] ?? /^rss (\d+)$/m.exec(mem)?.[1] ?? 0);
        out.set(m.name, { cpuNs: Number(cpu.trim()), rssBytes: rss });
      } catch {
        // stopped: no cgroup
      }
    }),
  );
  return out;
}

/** CPU ms each member used between two readings (a restarted member starts from 0). */
export function cpuMsBetween(before: Map<string, Usage>, after: Map<string, Usage>): Map<string, number> {
  return new Map(
    [...after].map(([name, u]) => {
      const b = before.get(name)?.cpuNs ?? 0;
      return [name, (u.cpuNs >= b ? u.cpuNs - b : u.cpuNs) / 1e6];
    }),
  );
}

/** Where a member keeps its store (image/lib/controller.sh: $STATE/store/nvstore.db). */
const STORE_DB = '/var/lib/nvlab/store/nvstore.db';
/** A snapshot of the store's data (a standalone database), kept in the first member. */
const SNAPSHOT = '/var/lib/nvlab/nvstore.snapshot';

/** The store's address on a member and the options to reach it from inside that member. */
function storeRemote(c: Cluster, ip: string): string {
  if (!c.tls) return `tcp:${ip}:${STORE_PORT}`;
  return `--private-key=${PKI_FILES.key} --certificate=${PKI_FILES.certificate} --ca-cert=${PKI_FILES.controllersCa} ssl:${ip}:${STORE_PORT}`;
}

async function inMember(runtime: Runtime, container: string, script: string): Promise<void> {
  const r = await runtime.exec(container, ['sh', '-c', script]);
  if (r.exitCode !== 0) throw new Error(`${container}: ${script}: ${r.stdout}${r.stderr}`);
}

/** Takes a snapshot of the store's data (ovsdb-client backup), as NVP's operators took one. */
export async function snapshotStore(runtime: Runtime, c: Cluster): Promise<void> {
  const first = c.members[0]!;
  await inMember(runtime, first.container, `ovsdb-client backup ${storeRemote(c, first.mgmtIp)} NvStore > ${SNAPSHOT}`);
}

/**
 * The cluster loses its state: on every member at once, its store server is stopped and its
 * database removed, then the members restart and form a new cluster (the first creates it, the
 * others join: image/lib/controller.sh). `fromSnapshot`: the first member's new database is made
 * from the last snapshot (ovsdb-tool create-cluster from a standalone copy), so the new cluster
 * starts with the state it had; otherwise it starts empty.
 */
export async function wipeStores(runtime: Runtime, c: Cluster, options: { fromSnapshot?: boolean } = {}): Promise<void> {
  const first = c.members[0]!;
  await Promise.all(
    c.members.map(async (m) => {
      const restore =
        options.fromSnapshot && m === first
          ? ` && ovsdb-tool --election-timer="\${NVLAB_ELECTION_TIMER_MS:-100}" create-cluster ${STORE_DB} ${SNAPSHOT} ${c.tls ? 'ssl' : 'tcp'}:${m.mgmtIp}:${STORE_RAFT_PORT}`
          : '';
      await inMember(runtime, m.container, `ovs-appctl -t /run/nvlab/nvstore.ctl exit; rm -f ${STORE_DB}${restore}`);
      await runtime.stop(m.container);
    }),
  );
  await Promise.all(c.members.map((m) => runtime.start(m.container)));
}

export const stopMembers = (runtime: Runtime, c: Cluster) => Promise.all(c.members.map((m) => runtime.stop(m.container)));
export const startMembers = (runtime: Runtime, c: Cluster) => Promise.all(c.members.map((m) => runtime.start(m.container)));
