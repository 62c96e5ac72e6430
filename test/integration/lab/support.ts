// Helpers for lab tests: real Docker, real OVS. What a lab holds on the host, the CLI as a user
// runs it, and polling; harness.ts gives each test file its labs.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createRuntime } from '../../../src/app/runtime.ts';
import type { Runtime } from '../../../src/runtime/runtime.ts';
import { projectRoot } from '../../../src/util/paths.ts';

export const runtime: Runtime = await createRuntime();

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
  const volumes = (await execa('docker', ['volume', 'ls', '-q', '--filter', `label=nvlab.lab=${lab}`])).stdout.split('\n').filter(Boolean);
  const links = JSON.parse((await execa('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string; ifalias?: string }[];
  // This lab's networks only: another lab's name may begin with this one's and a dash
  // (it-probe, it-probe-4711).
  const own = new RegExp(`^nvlab:nvlab-${lab}-(mgmt|underlay|phys-.+)$`);
  const hostLinks = links.filter((l) => own.test(l.ifalias ?? '')).map((l) => l.ifname);
  return { containers, networks, volumes, hostLinks };
}

/** What leftovers() finds of a lab that is gone. */
export const NOTHING_LEFT = { containers: [], networks: [], volumes: [], hostLinks: [] };

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
