// Helpers for lab tests: real Docker, real OVS. Every lab gets a name unique to this test run so
// that tests never touch a lab someone else deployed.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { deployLab } from '../../../src/app/deploy.ts';
import { destroyLab } from '../../../src/app/destroy.ts';
import { createRuntime } from '../../../src/app/runtime.ts';
import { parseTopology } from '../../../src/topology/load.ts';
import { planLab } from '../../../src/topology/plan.ts';
import type { LabPlan } from '../../../src/topology/plan-types.ts';
import type { Runtime } from '../../../src/runtime/runtime.ts';
import { projectRoot } from '../../../src/util/paths.ts';

export const runtime: Runtime = await createRuntime();

/** A lab name unique to this process: it-<tag>-<pid>. */
export function labName(tag: string): string {
  return `it-${tag}-${process.pid % 100000}`.slice(0, 20);
}

export function threeHypervisors(name: string): string {
  return `
name: ${name}
transport-nodes:
  hv1: hypervisor
  hv2: hypervisor
  hv3: { role: hypervisor, encap: vxlan }
logical-switches:
  web:
    subnet: 10.0.1.0/24
    ports:
      web1: { on: hv1, ip: 10.0.1.11 }
      web2: { on: hv2, ip: 10.0.1.12 }
      web3: { on: hv3, ip: 10.0.1.13, mac: "02:00:00:00:01:13" }
  app:
    subnet: 10.0.1.0/24
    ports:
      app1: { on: hv1, ip: 10.0.1.11 }
      app2: { on: hv3, ip: 10.0.1.12 }
`;
}

export async function planFor(source: string): Promise<LabPlan> {
  const loaded = parseTopology(source, 'test.yaml');
  return planLab(loaded.topology, { usedSubnets: await runtime.usedSubnets() });
}

export async function deploy(source: string, rt: Runtime = runtime): Promise<LabPlan> {
  const plan = await planFor(source);
  await deployLab(rt, plan);
  return plan;
}

export async function destroy(lab: string): Promise<void> {
  await destroyLab(runtime, lab);
}

export async function writeTopology(source: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nvlab-it-'));
  const file = join(dir, 'lab.yaml');
  await writeFile(file, source);
  return file;
}

/** Runs the CLI as a user would, from the repository root. */
export function nvlab(args: string[], options: { reject?: boolean } = {}) {
  return execa('node', [join(projectRoot, 'bin/nvlab.js'), ...args], {
    cwd: projectRoot,
    reject: options.reject ?? false,
    env: { FORCE_COLOR: '0' },
  });
}

/** Everything a lab holds on this host: containers, networks, volumes, and host-side links
 *  (the host's veth into the lab's management network carries the alias nvlab:<network>). */
export async function leftovers(
  lab: string,
): Promise<{ containers: string[]; networks: string[]; volumes: string[]; hostLinks: string[] }> {
  const containers = (await runtime.listContainers({ 'nvlab.lab': lab })).map((c) => c.name);
  const networks = [
    ...(await runtime.listNetworks({ 'nvlab.lab': lab })).map((n) => n.name),
    ...(await execa('docker', ['network', 'ls', '-q', '--filter', `label=nvlab.lab=${lab}`])).stdout.split('\n').filter(Boolean),
  ];
  const volumes = (await execa('docker', ['volume', 'ls', '-q', '--filter', `label=nvlab.lab=${lab}`])).stdout
    .split('\n')
    .filter(Boolean);
  const links = JSON.parse((await execa('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string; ifalias?: string }[];
  const hostLinks = links.filter((l) => l.ifalias?.startsWith(`nvlab:nvlab-${lab}-`)).map((l) => l.ifname);
  return { containers, networks, volumes, hostLinks };
}

export async function volumeCount(): Promise<number> {
  return (await execa('docker', ['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean).length;
}

/** Probes until `ok` holds or the time is up, and returns the last value seen, so the test's
 *  own assertion on it says what was expected and what was seen. */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
