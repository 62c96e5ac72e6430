// npm run bench:deploy [-- N ...]: deploy N hypervisors (one VM each) with nvlab, and as the
// floor start N bare containers of the same image that only start ovsdb-server and ovs-vswitchd,
// in the same run. Prints `deploy N=<n> nvlab=<s>s floor=<s>s ratio=<x>` per N.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { deployLab } from '../src/app/deploy.ts';
import { destroyLab } from '../src/app/destroy.ts';
import { DockerRuntime } from '../src/runtime/docker/docker-runtime.ts';
import { loadTopology } from '../src/topology/load.ts';
import { planLab } from '../src/topology/plan.ts';
import { mapLimit } from '../src/util/pool.ts';

const FLOOR_LAB = 'bench-floor';
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const counts = sizes.length ? sizes : [10, 40];

function topology(n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  hv${i + 1}: hypervisor`).join('\n');
  const ports = Array.from({ length: n }, (_, i) => `      vm${i + 1}: { on: hv${i + 1}, ip: 10.0.0.${i + 10} }`).join('\n');
  return `name: bench\ntransport-nodes:\n${nodes}\nlogical-switches:\n  net:\n    subnet: 10.0.0.0/24\n    ports:\n${ports}\n`;
}

async function timeNvlab(runtime: DockerRuntime, n: number, dir: string): Promise<number> {
  const file = join(dir, `bench-${n}.yaml`);
  await writeFile(file, topology(n));
  const started = performance.now();
  const plan = planLab((await loadTopology(file)).topology, { usedSubnets: await runtime.usedSubnets() });
  await deployLab(runtime, plan);
  const seconds = (performance.now() - started) / 1000;
  await destroyLab(runtime, plan.lab);
  return seconds;
}

/** The floor: bare containers on Docker's default network, each starting its own OVS. */
async function timeFloor(docker: Docker, image: string, n: number): Promise<number> {
  const script =
    'mkdir -p /run/openvswitch /etc/openvswitch && ' +
    'ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema && ' +
    'ovsdb-server --remote=punix:/run/openvswitch/db.sock --pidfile --detach -vconsole:off && ' +
    'ovs-vsctl --no-wait init && ovs-vswitchd --pidfile --detach -vconsole:off && ' +
    'echo ready && exec sleep infinity';
  const started = performance.now();
  await mapLimit(
    Array.from({ length: n }, (_, i) => i),
    16,
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
    for (const n of counts) {
      const floor = await timeFloor(docker, image, n);
      await destroyLab(runtime, FLOOR_LAB);
      const nvlab = await timeNvlab(runtime, n, dir);
      console.log(`deploy N=${n} nvlab=${nvlab.toFixed(1)}s floor=${floor.toFixed(1)}s ratio=${(nvlab / floor).toFixed(2)}`);
    }
  } finally {
    await destroyLab(runtime, FLOOR_LAB).catch(() => {});
    await destroyLab(runtime, 'bench').catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
