// What a container costs in memory, as the kernel accounts it: its memory cgroup (v1 or v2) and
// each of its processes' resident and proportional set sizes. For benchmarks and measurements
// (bench:deploy prints memory per hypervisor); Linux hosts only, read from /proc and /sys.
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';

export interface ProcessMemory {
  pid: number;
  command: string;
  threads: number;
  /** Bytes resident. */
  rss: number;
  /** Proportional set size: pages shared with other processes counted in part. */
  pss: number;
  /** The anonymous part of pss (heap, stacks): what no other process can share by file. */
  pssAnon: number;
}

export interface ContainerMemory {
  /** Bytes charged to the container's cgroup (memory.current; usage_in_bytes on cgroup v1). */
  usage: number;
  /** Anonymous memory (heap, stacks, anonymous mappings). */
  anon: number;
  /** Page cache charged to it (files it was first to read or wrote). */
  file: number;
  /** Kernel memory charged to it (page tables, stacks, slab), where the cgroup tells. */
  kernel: number;
  processes: ProcessMemory[];
}

const KIB = 1024;

async function text(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).trim();
}

/** key value lines (memory.stat, smaps_rollup, status) into numbers. */
function fields(content: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of content.split('\n')) {
    const [key, value] = line.split(/:?\s+/);
    if (key && value !== undefined) out.set(key, Number(value));
  }
  return out;
}

/** The directory of the memory cgroup process `pid` is in, on either cgroup version. */
async function memoryCgroupDir(pid: number): Promise<{ dir: string; v2: boolean }> {
  const lines = (await text(`/proc/${pid}/cgroup`)).split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes('memory'));
  if (v1) return { dir: `/sys/fs/cgroup/memory${v1.split(':')[2]}`, v2: false };
  const unified = lines.find((l) => l.startsWith('0::'));
  if (!unified) throw new Error(`process ${pid} is in no memory cgroup`);
  return { dir: `/sys/fs/cgroup${unified.slice(3)}`, v2: true };
}

async function processMemory(pid: number): Promise<ProcessMemory | undefined> {
  try {
    const [rollup, status, cmdline] = await Promise.all([
      text(`/proc/${pid}/smaps_rollup`),
      text(`/proc/${pid}/status`),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    const r = fields(rollup);
    const s = fields(status);
    return {
      pid,
      command: cmdline.split('\0').filter(Boolean).join(' '),
      threads: s.get('Threads') ?? 1,
      rss: (s.get('VmRSS') ?? 0) * KIB,
      pss: (r.get('Pss') ?? 0) * KIB,
      pssAnon: (r.get('Pss_Anon') ?? 0) * KIB,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The memory of a running container, by name. */
export async function containerMemory(docker: Docker, name: string): Promise<ContainerMemory> {
  const pid = (await docker.getContainer(name).inspect()).State.Pid;
  const { dir, v2 } = await memoryCgroupDir(pid);
  const stat = fields(await text(`${dir}/memory.stat`));
  const pids = (await text(`${dir}/cgroup.procs`)).split('\n').filter(Boolean).map(Number);
  const processes = (await Promise.all(pids.map(processMemory))).filter((p): p is ProcessMemory => p !== undefined);
  if (v2) {
    const kernel = ['kernel', 'kernel_stack', 'pagetables', 'slab', 'sock', 'percpu'];
    return {
      usage: Number(await text(`${dir}/memory.current`)),
      anon: stat.get('anon') ?? 0,
      file: stat.get('file') ?? 0,
      // "kernel" sums the others where the kernel has it (5.18+).
      kernel: stat.get('kernel') ?? kernel.slice(1).reduce((sum, k) => sum + (stat.get(k) ?? 0), 0),
      processes,
    };
  }
  const kmem = await text(`${dir}/memory.kmem.usage_in_bytes`).catch(() => '0');
  return {
    usage: Number(await text(`${dir}/memory.usage_in_bytes`)),
    anon: stat.get('rss') ?? 0,
    file: stat.get('cache') ?? 0,
    kernel: Number(kmem),
    processes,
  };
}

/** Bytes the host uses, as `free` counts "used": total less available. */
export async function hostMemoryUsed(): Promise<number> {
  const info = fields(await text('/proc/meminfo'));
  return ((info.get('MemTotal') ?? 0) - (info.get('MemAvailable') ?? 0)) * KIB;
}
