// NVP's evaluation mix (NSDI 2014, section 7), seeded: N hypervisors of 21 VIFs each, on logical
// switches of 2 to 64 ports, 9 on average (7,000 switches at 3,000 nodes), each switch's ports
// spread over different nodes. Pure: the same options give the same workload, as the bodies the
// northbound API takes (src/model), so a bench pushes them as a cloud platform would.
import { formatIp, type LogicalPortInput, type LogicalSwitchInput, type TransportNodeInput } from '../model/index.ts';

export interface WorkloadOptions {
  nodes: number;
  /** Default 1. */
  seed?: number;
  /** VIFs per node (NVP: 21). */
  vifsPerNode?: number;
  /** Ports per switch: at least `minPorts`, at most `maxPorts`, `meanPorts` on average (2, 64, 9). */
  minPorts?: number;
  maxPorts?: number;
  meanPorts?: number;
}

export interface Workload {
  nodes: TransportNodeInput[];
  switches: LogicalSwitchInput[];
  /** In switch order, each switch's ports in order. */
  ports: LogicalPortInput[];
}

/** A deterministic generator in [0, 1) from a 32-bit seed (mulberry32). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export const nodeName = (i: number): string => `sim${i + 1}`;
export const switchName = (i: number): string => `ls${i + 1}`;
/** Port k of switch `sw` (its index). */
export const portName = (sw: number, k: number): string => `vif${sw + 1}-${k + 1}`;

/** Switch i's subnet: 10.0.0.0/8 cut into /25s (126 hosts: room for 64 ports and more added). */
const subnetBase = (sw: number) => (10 << 24) + sw * 128;
export const switchSubnet = (sw: number): string => `${formatIp(subnetBase(sw))}/25`;
/** Port k's address: host k + 2 of its switch's subnet (.1 left for a router). */
export const portIp = (sw: number, k: number): string => formatIp(subnetBase(sw) + k + 2);
/** Locally administered, unicast, unique in the lab: 02:5e, the switch (16 bits), the port (16). */
export function portMac(sw: number, k: number): string {
  const bytes = [0x02, 0x5e, (sw >> 8) & 0xff, sw & 0xff, (k >> 8) & 0xff, k & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
/** Node i's underlay address, in 100.64.0.0/10 (nothing routes to it: no data plane). */
export const nodeUnderlayIp = (i: number): string => formatIp(((100 << 24) | (64 << 16)) + 10 + i);
export const VNI_BASE = 10_000;

/**
 * Switch sizes summing to `total`: 2 + a geometric draw of mean `mean - min` (NVP gives only the
 * range and the mean; most switches small, a few large), redrawn above `max`; the last one takes
 * what is left, merged into its neighbour when that is under `min`.
 */
export function switchSizes(total: number, rand: () => number, min = 2, max = 64, mean = 9): number[] {
  const p = 1 / (mean - min + 1); // geometric on {0, 1, ...} with mean (1 - p) / p = mean - min
  const draw = () => {
    for (;;) {
      const extra = Math.floor(Math.log(1 - rand()) / Math.log(1 - p));
      if (min + extra <= max) return min + extra;
    }
  };
  const sizes: number[] = [];
  let left = total;
  while (left > 0) {
    const size = Math.min(draw(), left);
    sizes.push(size);
    left -= size;
  }
  const last = sizes.length - 1;
  if (sizes[last]! < min && last > 0) {
    // Give the short last switch what the one before can spare, or merge it into that one.
    const want = min - sizes[last]!;
    if (sizes[last - 1]! - want >= min) {
      sizes[last - 1]! -= want;
      sizes[last] = min;
    } else {
      sizes[last - 1]! += sizes[last]!;
      sizes.pop();
    }
  }
  return sizes;
}

/** Fisher-Yates, in place. */
function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Every node's VIF slots in rounds (each round every node once, in a fresh order), so that a run
 * of consecutive slots, one switch's ports, lands on different nodes unless it crosses a round's
 * end onto a node it already has (rare), or the switch is larger than the lab.
 */
function slotOrder(nodes: number, rounds: number, rand: () => number): number[] {
  const order: number[] = [];
  const all = Array.from({ length: nodes }, (_, i) => i);
  for (let r = 0; r < rounds; r++) order.push(...shuffle([...all], rand));
  return order;
}

export function workload(options: WorkloadOptions): Workload {
  const n = options.nodes;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`nodes: a positive integer, not ${n}`);
  const vifs = options.vifsPerNode ?? 21;
  const rand = random(options.seed ?? 1);
  const sizes = switchSizes(n * vifs, rand, options.minPorts, options.maxPorts, options.meanPorts);
  const slots = slotOrder(n, vifs, rand);
  const nodes: TransportNodeInput[] = Array.from({ length: n }, (_, i) => ({
    name: nodeName(i),
    role: 'hypervisor',
    encap: 'geneve',
    underlayIp: nodeUnderlayIp(i),
  }));
  const switches: LogicalSwitchInput[] = [];
  const ports: LogicalPortInput[] = [];
  let slot = 0;
  sizes.forEach((size, sw) => {
    switches.push({ name: switchName(sw), vni: VNI_BASE + sw, replication: 'source', encap: 'geneve', subnet: switchSubnet(sw) });
    for (let k = 0; k < size; k++) {
      const node = nodeName(slots[slot++]!);
      ports.push({ name: portName(sw, k), switch: switchName(sw), mac: portMac(sw, k), ip: portIp(sw, k), node });
    }
  });
  return { nodes, switches, ports };
}

/** A switch's index from its name (switchName's inverse). */
const switchIndex = (name: string): number => Number(name.slice(2)) - 1;

/**
 * `count` more ports on existing switches (steady state: NVP adds 10 and deletes them), each on a
 * node the switch already spans but for that port (so every other node of the switch gets one
 * flow) or, where the switch spans every node, any; named, addressed and placed after the
 * switch's own ports. Seeded apart from the workload.
 */
export function extraPorts(w: Workload, count: number, seed = 2): LogicalPortInput[] {
  const rand = random(seed);
  const bySwitch = new Map<string, LogicalPortInput[]>();
  for (const p of w.ports) {
    const list = bySwitch.get(p.switch);
    if (list) list.push(p);
    else bySwitch.set(p.switch, [p]);
  }
  const added: LogicalPortInput[] = [];
  const picked = new Set<string>();
  while (added.length < count && picked.size < w.switches.length) {
    const sw = w.switches[Math.floor(rand() * w.switches.length)]!;
    if (picked.has(sw.name)) continue;
    picked.add(sw.name);
    const own = bySwitch.get(sw.name) ?? [];
    const on = own[Math.floor(rand() * own.length)]?.node ?? w.nodes[0]!.name;
    const i = switchIndex(sw.name);
    const k = own.length;
    added.push({ name: portName(i, k), switch: sw.name, mac: portMac(i, k), ip: portIp(i, k), node: on });
  }
  return added;
}

/** The VIFs (logical port names) each node hosts. */
export function vifsByNode(ports: readonly LogicalPortInput[]): Map<string, string[]> {
  const byNode = new Map<string, string[]>();
  for (const p of ports) {
    if (!p.node) continue;
    const list = byNode.get(p.node);
    if (list) list.push(p.name);
    else byNode.set(p.node, [p.name]);
  }
  return byNode;
}
