// node --import tsx scripts/node-memory.ts [N] [--settle S] [--keep]: what a hypervisor costs in
// memory. Deploys N hypervisors (default 10, one VM each, 3 members, TLS), pings across the
// first two VMs, then prints for the hypervisors: their cgroups (usage, anonymous, page cache,
// kernel; mean and max), every process kind's mean PSS and threads, and the host's "used" memory
// per hypervisor (members' cgroups and this process's growth taken out). --settle S measures again every S/4 seconds up to
// S seconds (memory that the kernel merges or reclaims later). --keep leaves the lab running.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployLab } from '../src/app/deploy.ts';
import { destroyLab } from '../src/app/destroy.ts';
import { containerMemory, hostMemoryUsed, type ContainerMemory } from '../src/runtime/docker/container-memory.ts';
import { DockerRuntime } from '../src/runtime/docker/docker-runtime.ts';
import { loadTopology } from '../src/topology/load.ts';
import { planLab } from '../src/topology/plan.ts';
import { containerName } from '../src/model/index.ts';

const LAB = 'nodemem';
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const n = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 10);
const settle = Number(option('--settle') ?? 0);
const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(1);

function topology(): string {
  const nodes = Array.from({ length: n }, (_, i) => `  hv${i + 1}: hypervisor`).join('\n');
  const ports = Array.from({ length: n }, (_, i) => `      vm${i + 1}: { on: hv${i + 1}, ip: 10.0.0.${i + 10} }`).join('\n');
  return `name: ${LAB}\ncontrollers: 3\ntransport-nodes:\n${nodes}\nlogical-switches:\n  net:\n    subnet: 10.0.0.0/24\n    ports:\n${ports}\n`;
}

/** Process kinds by their command: the agent's bash, the OVS daemons, and the rest. */
function kindOf(command: string): string {
  const first = command.split(' ')[0] ?? '';
  if (first.endsWith('bash') && command.includes('nvlab-node')) return 'agent (bash)';
  return first.split('/').pop() ?? first;
}

function report(label: string, nodes: ContainerMemory[], hostPerNode: number): void {
  const mean = (f: (m: ContainerMemory) => number) => nodes.reduce((s, m) => s + f(m), 0) / nodes.length;
  const max = Math.max(...nodes.map((m) => m.usage));
  console.log(
    `${label}: cgroup usage mean=${mb(mean((m) => m.usage))} max=${mb(max)} MiB` +
      ` (anon ${mb(mean((m) => m.anon))}, file ${mb(mean((m) => m.file))}, kernel ${mb(mean((m) => m.kernel))});` +
      ` host used per hypervisor ${mb(hostPerNode)} MiB`,
  );
  const kinds = new Map<string, { pss: number; anon: number; threads: number; count: number }>();
  for (const p of nodes.flatMap((m) => m.processes)) {
    const k = kinds.get(kindOf(p.command)) ?? { pss: 0, anon: 0, threads: 0, count: 0 };
    kinds.set(kindOf(p.command), { pss: k.pss + p.pss, anon: k.anon + p.pssAnon, threads: k.threads + p.threads, count: k.count + 1 });
  }
  for (const [kind, k] of [...kinds].sort((a, b) => b[1].pss - a[1].pss)) {
    const per = k.count / nodes.length;
    console.log(
      `  ${kind.padEnd(16)} ${per.toFixed(1)}/node  pss ${mb(k.pss / nodes.length)}  anon ${mb(k.anon / nodes.length)} MiB/node  threads ${(k.threads / k.count).toFixed(0)}`,
    );
  }
}

async function main(): Promise<void> {
  const runtime = new DockerRuntime();
  await runtime.prepare((line) => process.stderr.write(`${line}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'nvlab-nodemem-'));
  const file = join(dir, 'lab.yaml');
  await writeFile(file, topology());
  const plan = planLab((await loadTopology(file)).topology, { usedSubnets: await runtime.usedSubnets() });
  // This process grows while it deploys (the members' bundle, the plan): not the nodes' cost.
  const before = (await hostMemoryUsed()) - process.memoryUsage().rss;
  try {
    const started = performance.now();
    await deployLab(runtime, plan);
    console.log(`deployed ${n} hypervisors in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const ping = await runtime.exec(containerName(LAB, 'hv1'), ['ip', 'netns', 'exec', 'vm1', 'ping', '-c', '3', '-i', '0.2', '10.0.0.11']);
    if (ping.exitCode !== 0) throw new Error(`vm1 cannot ping vm2:\n${ping.stdout}${ping.stderr}`);
    const measure = async (label: string) => {
      const hvs = await Promise.all(plan.transportNodes.map((t) => containerMemory(runtime.docker, t.container)));
      const members = plan.controllers.kind === 'builtin' ? plan.controllers.members : [];
      const ms = await Promise.all(members.map((m) => containerMemory(runtime.docker, m.container)));
      const membersUsage = ms.reduce((s, m) => s + m.usage, 0);
      const host = (await hostMemoryUsed()) - process.memoryUsage().rss - before;
      report(label, hvs, (host - membersUsage) / n);
    };
    await measure('programmed');
    for (let t = settle / 4; settle > 0 && t <= settle; t += settle / 4) {
      await new Promise((r) => setTimeout(r, (settle / 4) * 1000));
      await measure(`after ${t.toFixed(0)} s`);
    }
  } finally {
    if (!args.includes('--keep')) await destroyLab(runtime, LAB);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
