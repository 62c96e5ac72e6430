// The lab fabric: a lab's networks are Linux bridges inside one small container of the lab's own
// (its "fabric"), and nodes are wired to them with veth pairs. Docker's own networks cost about
// 0.2 s of daemon work per container and network (embedded DNS, iptables in every container);
// wiring ourselves is one nsenter per node. Bridged traffic stays inside the fabric's network
// namespace, out of reach of the host's firewall, and everything dies with the fabric container.
import { createHash } from 'node:crypto';
import { execa } from 'execa';

/** One link of a node: its interface (eth0, eth1, ...) on a lab network, and its address. */
export interface Link {
  /** Interface name inside the node. */
  nic: string;
  /** Runtime network name (nvlab-<lab>-underlay ...). */
  network: string;
  ip: string;
  /** Address prefix length on that network. */
  prefixLength: number;
}

/** Labels of a fabric network, kept in its bridge's interface alias. */
export interface FabricNetwork {
  name: string;
  bridge: string;
  subnet: string;
  gateway: string;
  labels: Record<string, string>;
  mtu?: number;
}

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** Interface names are at most 15 characters: derive short, stable ones. */
export const bridgeName = (network: string) => `br${hash(network, 10)}`;
export const fabricSide = (container: string, nic: string) => `v${hash(`${container}/${nic}`, 12)}`;
export const hostSide = (network: string) => `nvh${hash(network, 10)}`;

/** Docker-style MAC derived from the address (02:42:a.b.c.d), so it is stable across restarts. */
export function macFor(ip: string): string {
  return ['02', '42', ...ip.split('.').map((octet) => Number(octet).toString(16).padStart(2, '0'))].join(':');
}

async function inNetns(pid: number, script: string): Promise<string> {
  const result = await execa('nsenter', ['-t', String(pid), '-n', 'sh', '-ec', script], { reject: false });
  if (result.exitCode !== 0) throw new Error(result.stderr.trim() || `nsenter exited ${result.exitCode}`);
  return result.stdout;
}

export async function createBridge(fabricPid: number, network: FabricNetwork, mtu: number): Promise<void> {
  const alias = JSON.stringify({ name: network.name, subnet: network.subnet, gateway: network.gateway, labels: network.labels });
  await inNetns(
    fabricPid,
    `ip link add ${network.bridge} type bridge
     ip link set ${network.bridge} mtu ${mtu} alias '${alias.replace(/'/g, '')}' up`,
  );
}

/** The host reaches a network (the management network) through a veth holding its gateway. */
export async function connectHost(fabricPid: number, network: FabricNetwork, prefixLength: number, mtu: number): Promise<void> {
  const host = hostSide(network.name);
  await execa('ip', ['link', 'add', host, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', 'host0', 'netns', String(fabricPid)]);
  await execa('ip', ['addr', 'add', `${network.gateway}/${prefixLength}`, 'dev', host]);
  await execa('ip', ['link', 'set', host, 'alias', `nvlab:${network.name}`, 'up']);
  await inNetns(fabricPid, `ip link set host0 master ${network.bridge} mtu ${mtu} up`);
}

/** Removes the host's side of a network, at once: the kernel removes it with the fabric's
 *  namespace too, but asynchronously, so a destroy that returned could still leave it listed. */
export async function disconnectHost(network: string): Promise<void> {
  await execa('ip', ['link', 'del', hostSide(network)], { reject: false });
}

export async function listBridges(fabricPid: number): Promise<FabricNetwork[]> {
  const out = await inNetns(fabricPid, 'ip -j link show type bridge');
  const links = JSON.parse(out || '[]') as { ifname: string; ifalias?: string; mtu: number }[];
  return links.flatMap((link) => {
    try {
      const alias = JSON.parse(link.ifalias ?? '') as Omit<FabricNetwork, 'bridge'>;
      return [{ ...alias, bridge: link.ifname, mtu: link.mtu }];
    } catch {
      return [];
    }
  });
}

export async function deleteBridge(fabricPid: number, bridge: string): Promise<void> {
  await inNetns(fabricPid, `ip link del ${bridge} 2>/dev/null || true`);
}

/** Plugs a started node into the fabric: one veth per link, node side named as the link says.
 *  The bridge knows the link's MAC from the start (a static entry, which goes with the veth), as
 *  a datacenter network in steady state knows where each host is. Transport nodes resolve their
 *  tunnel peers without ARP (pre-warmed neighbour caches), so a learning bridge knew a node only
 *  once it had sent a packet, and until then flooded every tunnel packet towards it to every
 *  node, each vswitchd taking an upcall for it: on fresh 20-node labs, port-up p50 was 65 and 66
 *  ms against 50 and 38 once every node had announced itself. */
export async function wireNode(
  fabricPid: number,
  nodePid: number,
  container: string,
  links: Link[],
  mtus: Map<string, number>,
): Promise<void> {
  const script = links
    .map((link) => {
      const side = fabricSide(container, link.nic);
      const mtu = mtus.get(link.network) ?? 1500;
      const mac = macFor(link.ip);
      return `ip link del ${side} 2>/dev/null || true
ip link add ${side} mtu ${mtu} type veth peer name ${link.nic} mtu ${mtu} address ${mac} netns ${nodePid}
ip link set ${side} master ${bridgeName(link.network)} up
bridge fdb replace ${mac} dev ${side} master static`;
    })
    .join('\n');
  if (script) await inNetns(fabricPid, script);
}

/** A link's cable: down cuts the node off that network while it keeps running. */
export async function setLinkState(fabricPid: number, container: string, nic: string, up: boolean): Promise<void> {
  await inNetns(fabricPid, `ip link set ${fabricSide(container, nic)} ${up ? 'up' : 'down'}`);
}
