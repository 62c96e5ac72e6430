// Where a port or a physical host sends and receives, looked up on the running lab: a VM is a
// network namespace named after its port on whichever hypervisor hosts it now (ports migrate),
// a host is its own container with its lab NIC (eth0, or eth0.<vlan> on a tagged segment).
import type { ContainerInfo, Runtime } from '../../runtime/runtime.ts';
import { NvlabError } from '../../util/errors.ts';
import { LABEL_LAB, LABEL_NODE, LABEL_ROLE } from '../../model/index.ts';

export interface CapturePoint {
  /** The port or host, by name (a capture's label). */
  label: string;
  container: string;
  /** The VM's network namespace; absent for a physical host. */
  netns?: string;
  iface: string;
}

const EXEC_MS = 10_000;

/** Quotes one word for sh. Names are validated already; quoting keeps the scripts safe anyway. */
export function quote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A shell command line that runs `cmd` (already a shell fragment) where `point` lives. */
export function inPoint(point: CapturePoint, cmd: string): string {
  return point.netns ? `ip netns exec ${quote(point.netns)} ${cmd}` : cmd;
}

/** The interface of a host container holding its lab address (there is only one). */
async function hostIface(runtime: Runtime, host: ContainerInfo, name: string): Promise<string> {
  const result = await runtime.exec(host.name, ['ip', '-o', '-4', 'addr', 'show', 'scope', 'global'], { timeoutMs: EXEC_MS });
  const iface = /^\d+:\s+([^\s@:]+)/m.exec(result.stdout)?.[1];
  if (!iface) throw new NvlabError('NO_CAPTURE_POINT', `host ${name} has no address on its lab network`);
  return iface;
}

/** Which running hypervisor holds each VM namespace: one listing per hypervisor. */
async function vmHomes(runtime: Runtime, containers: ContainerInfo[]): Promise<Map<string, string>> {
  const hypervisors = containers.filter((c) => c.labels[LABEL_ROLE] === 'hypervisor' && c.state === 'running');
  const homes = new Map<string, string>();
  await Promise.all(
    hypervisors.map(async (hv) => {
      const listing = await runtime
        .exec(hv.name, ['sh', '-c', 'ls -1 /var/run/netns 2>/dev/null; true'], { timeoutMs: EXEC_MS })
        .catch(() => undefined);
      for (const ns of listing?.stdout.split('\n') ?? []) if (ns.trim()) homes.set(ns.trim(), hv.name);
    }),
  );
  return homes;
}

/** Capture points for several ports and hosts at once (one lookup of the lab for all). */
export async function resolveCapturePoints(
  runtime: Runtime,
  lab: string,
  names: readonly string[],
  /** The lab's containers, when the caller has just listed them. */
  listed?: ContainerInfo[],
): Promise<Map<string, CapturePoint>> {
  const containers = listed ?? (await runtime.listContainers({ [LABEL_LAB]: lab }));
  const byNode = new Map(containers.map((c) => [c.labels[LABEL_NODE] ?? c.name, c]));
  const wanted = [...new Set(names)];
  const needVms = wanted.some((n) => byNode.get(n) === undefined);
  const homes = needVms ? await vmHomes(runtime, containers) : new Map<string, string>();
  const points = await Promise.all(
    wanted.map(async (name): Promise<CapturePoint> => {
      const node = byNode.get(name);
      if (node) {
        const role = node.labels[LABEL_ROLE];
        if (role !== 'host') throw new NvlabError('NO_CAPTURE_POINT', `${name} is a ${role ?? 'node'}, not a port or a physical host`);
        if (node.state !== 'running')
          throw new NvlabError('NO_CAPTURE_POINT', `host ${name} is not running (its container is ${node.state})`);
        return { label: name, container: node.name, iface: await hostIface(runtime, node, name) };
      }
      const home = homes.get(name);
      if (!home)
        throw new NvlabError('NO_CAPTURE_POINT', `lab ${lab} has no port ${name} on a running hypervisor, nor a host of that name`);
      return { label: name, container: home, netns: name, iface: 'eth0' };
    }),
  );
  return new Map(points.map((p) => [p.label, p]));
}

/** A port (its VM, on the hypervisor hosting it now) or a physical host, as a capture point. */
export async function resolveCapturePoint(runtime: Runtime, lab: string, name: string): Promise<CapturePoint> {
  return (await resolveCapturePoints(runtime, lab, [name])).get(name) as CapturePoint;
}

/** The NIC a transport node's br-phy holds: where its tunnel packets leave for the underlay. */
export async function underlayNic(runtime: Runtime, container: string): Promise<string> {
  const result = await runtime.exec(container, ['ovs-vsctl', '--timeout=5', 'list-ports', 'br-phy'], { timeoutMs: EXEC_MS });
  const nic = result.stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('patch'));
  if (result.exitCode !== 0 || !nic)
    throw new NvlabError('NO_UNDERLAY', `${container} has no underlay NIC on br-phy: ${result.stderr.trim() || 'none'}`);
  return nic;
}

/**
 * The transport nodes a frame from `point` enters the overlay through: a VM's hypervisor; for a
 * physical host, the transport nodes attached to its network (its l2 gateway).
 */
export async function sourceNodes(
  runtime: Runtime,
  lab: string,
  point: CapturePoint,
  listed?: ContainerInfo[],
): Promise<{ node: string; container: string }[]> {
  const containers = listed ?? (await runtime.listContainers({ [LABEL_LAB]: lab }));
  const nodeOf = (c: ContainerInfo) => ({ node: c.labels[LABEL_NODE] ?? c.name, container: c.name });
  if (point.netns) return containers.filter((c) => c.name === point.container).map(nodeOf);
  const host = containers.find((c) => c.name === point.container);
  const networks = new Set(Object.keys(host?.addresses ?? {}));
  return containers
    .filter((c) => c.name !== point.container && c.state === 'running')
    .filter((c) => !['host', 'controller', undefined].includes(c.labels[LABEL_ROLE]))
    .filter((c) => Object.keys(c.addresses).some((n) => networks.has(n)))
    .map(nodeOf);
}

/** A transport node a frame enters the overlay through, with the NIC its tunnel packets leave by. */
export interface SourceUnderlay {
  node: string;
  container: string;
  nic: string;
}

/** sourceNodes, each with its underlay NIC. */
export async function sourceUnderlays(
  runtime: Runtime,
  lab: string,
  point: CapturePoint,
  listed?: ContainerInfo[],
): Promise<SourceUnderlay[]> {
  const nodes = await sourceNodes(runtime, lab, point, listed);
  return Promise.all(nodes.map(async (s) => ({ ...s, nic: await underlayNic(runtime, s.container) })));
}
