// npm run bench:deploy [-- N ...]: deploy N hypervisors (one VM each) with nvlab, and as the
// floor start N bare containers of the same image that only start ovsdb-server and ovs-vswitchd,
// in the same run. Per N it prints
//   deploy N=<n> nvlab=<s>s floor=<s>s ratio=<x>          the lab foundation: networks, nodes, OVS
//                                                         up (OpenFlow pointed at an outside
//                                                         controller, so no built-in cluster)
//   deploy+cluster N=<n> nvlab=<s>s floor=<s>s ratio=<x>  the whole lab: 3 controller members too,
//                                                         and every node programmed (TLS on every
//                                                         control channel, the default)
//   memory N=<n> programmed: cgroup mean=<MiB> max=<MiB> host=<MiB> per hypervisor; after 30 s: ...
//                                                         that lab's hypervisors: their memory
//                                                         cgroups (memory.current), and the host's
//                                                         used memory (as `free` counts it) grown
//                                                         per hypervisor, members' cgroups taken out
//   deploy+cluster tls=off N=<n> ...                      the same lab with security: { tls: false }
//                                                         (left out with --no-tls-off)
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { deployLab } from '../src/app/deploy.ts';
import { destroyLab } from '../src/app/destroy.ts';
import { containerMemory, hostMemoryUsed } from '../src/runtime/docker/container-memory.ts';
import { DockerRuntime } from '../src/runtime/docker/docker-runtime.ts';
import type { LabPlan } from '../src/topology/plan-types.ts';
import { loadTopology } from '../src/topology/load.ts';
import { planLab } from '../src/topology/plan.ts';
import { mapLimit } from '../src/util/pool.ts';

const FLOOR_LAB = 'bench-floor';
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const counts = sizes.length ? sizes : [10, 40];
const tlsOff = !process.argv.includes('--no-tls-off');
/** How long after the lab is programmed memory is measured again: what the kernel merges
 *  (KSM, src/runtime/docker/memory-merging.ts) it merges while ksmd scans. */
const MEMORY_SETTLE_MS = 30_000;

function topology(n: number, cluster: boolean, tls = true): string {
  const nodes = Array.from({ length: n }, (_, i) => `  hv${i + 1}: hypervisor`).join('\n');
  const ip = (i: number) => `10.0.${(i + 10) >> 8}.${(i + 10) & 255}`;
  const ports = Array.from({ length: n }, (_, i) => `      vm${i + 1}: { on: hv${i + 1}, ip: ${ip(i)} }`).join('\n');
  // Without the cluster, br-int points at a controller on the node's own loopback: nothing
  // answers and no traffic leaves the node.
  const controllers = cluster ? 'controllers: 3' : 'controllers: { external: [tcp:127.0.0.1:6653] }';
  return `name: bench\n${controllers}\nsecurity: { tls: ${tls} }\ntransport-nodes:\n${nodes}\nlogical-switches:\n  net:\n    subnet: 10.0.0.0/16\n    ports:\n${ports}\n`;
}

const MIB = 1024 * 1024;

/** Memory per hypervisor of a deployed lab: its hypervisors' cgroups, mean and max, and the
 *  host's used memory grown since `hostBefore`, less the members' cgroups, per hypervisor. */
async function memoryLine(runtime: DockerRuntime, plan: LabPlan, hostBefore: number): Promise<string> {
  const usage = async (container: string) => (await containerMemory(runtime.docker, container)).usage;
  const hvs = await Promise.all(plan.transportNodes.map((t) => usage(t.container)));
  const members = plan.controllers.kind === 'builtin' ? plan.controllers.members : [];
  const membersUsage = (await Promise.all(members.map((m) => usage(m.container)))).reduce((a, b) => a + b, 0);
  const host = (await hostMemoryUsed()) - process.memoryUsage().rss - hostBefore - membersUsage;
  const mib = (bytes: number) => (bytes / MIB).toFixed(1);
  const mean = hvs.reduce((a, b) => a + b, 0) / hvs.length;
  return `cgroup mean=${mib(mean)} max=${mib(Math.max(...hvs))} host=${mib(host / hvs.length)} MiB per hypervisor`;
}

/** Seconds to deploy the lab and, with `memory`, that lab's memory per hypervisor once
 *  programmed and again MEMORY_SETTLE_MS later. */
async function timeNvlab(
  runtime: DockerRuntime,
  n: number,
  dir: string,
  options: { cluster: boolean; tls?: boolean; memory?: boolean },
): Promise<{ seconds: number; memory?: string }> {
  const file = join(dir, `bench-${n}.yaml`);
  await writeFile(file, topology(n, options.cluster, options.tls ?? true));
  // This process grows while it deploys (the members' bundle, the plan): not the nodes' cost.
  const hostBefore = (await hostMemoryUsed()) - process.memoryUsage().rss;
  const started = performance.now();
  const plan = planLab((await loadTopology(file)).topology, { usedSubnets: await runtime.usedSubnets() });
  await deployLab(runtime, plan);
  const seconds = (performance.now() - started) / 1000;
  let memory: string | undefined;
  if (options.memory) {
    const programmed = await memoryLine(runtime, plan, hostBefore);
    await new Promise((r) => setTimeout(r, MEMORY_SETTLE_MS));
    memory = `programmed: ${programmed}; after ${MEMORY_SETTLE_MS / 1000} s: ${await memoryLine(runtime, plan, hostBefore)}`;
  }
  await destroyLab(runtime, plan.lab);
  return { seconds, ...(memory ? { memory } : {}) };
}

/** The floor: bare containers on Docker's default network, each starting its own OVS. */
async function timeFloor(docker: Docker, image: string, n: number, concurrency: number): Promise<number> {
  const script =
    'mkdir -p /run/openvswitch /etc/openvswitch && ' +
    'ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema && ' +
    'ovsdb-server --remote=punix:/run/openvswitch/db.sock --pidfile --detach -vconsole:off && ' +
    'ovs-vsctl --no-wait init && ovs-vswitchd --pidfile --detach -vconsole:off && ' +
    'echo ready && exec sleep infinity';
  const started = performance.now();
  await mapLimit(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    async (i) => {
      const container = await docker.createContainer({
        name: `nvlab-${FLOOR_LAB}-${i}`,
        Image: image,
        Entrypoint: ['sh', '-c', script],
        Cmd: [],
        Labels: { 'nvlab.lab': FLOOR_LAB },
        HostConfig: {
          Init: true,
          CapAdd: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'],
          Devices: [{ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }],
        },
      });
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const ready = new Promise<void>((resolve, reject) => {
        let seen = '';
        stream.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('ready')) resolve();
        });
        stream.on('end', () => reject(new Error(`floor container ${i} exited: ${seen}`)));
      });
      await container.start();
      await ready;
      (stream as unknown as { destroy(): void }).destroy();
    },
  );
  const seconds = (performance.now() - started) / 1000;
  return seconds;
}

async function main(): Promise<void> {
  const docker = new Docker();
  const runtime = new DockerRuntime(docker);
  const image = await runtime.prepare((line) => process.stderr.write(`${line}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'nvlab-bench-'));
  try {
    const settle = () => new Promise((r) => setTimeout(r, 5000)); // let the last lab's teardown finish
    for (const n of counts) {
      // The floor at its best: as many in flight as suits this machine.
      let floor = Infinity;
      for (const concurrency of [8, 16]) {
        floor = Math.min(floor, await timeFloor(docker, image, n, concurrency));
        await destroyLab(runtime, FLOOR_LAB);
        await settle();
      }
      const foundation = await timeNvlab(runtime, n, dir, { cluster: false });
      await settle();
      const full = await timeNvlab(runtime, n, dir, { cluster: true, memory: true });
      await settle();
      const line = (what: string, s: number) =>
        `${what} N=${n} nvlab=${s.toFixed(1)}s floor=${floor.toFixed(1)}s ratio=${(s / floor).toFixed(2)}`;
      console.log(line('deploy', foundation.seconds));
      console.log(line('deploy+cluster', full.seconds));
      console.log(`memory N=${n} ${full.memory}`);
      if (tlsOff) {
        const clear = await timeNvlab(runtime, n, dir, { cluster: true, tls: false });
        await settle();
        console.log(line('deploy+cluster tls=off', clear.seconds));
      }
    }
  } finally {
    await destroyLab(runtime, FLOOR_LAB).catch(() => {});
    await destroyLab(runtime, 'bench').catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
