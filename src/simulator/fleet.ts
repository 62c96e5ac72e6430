// Thousands of simulated transport nodes in one process, started in paced waves: a wave of nodes
// connects to every member, and the next one waits until the members have taken it (every
// connection of the wave up), so that the members are never handed thousands of handshakes, OVSDB
// monitors and first computations at once. Stopped all together.
import type { TlsCredentials } from '../util/tls.ts';
import type { NodeHolding } from './check.ts';
import { SimulatedNode, type SimulatedNodeOptions } from './node.ts';

export interface FleetOptions {
  memberIps: readonly string[];
  /** A node's TLS credentials (its certificate's common name is its name); absent: plain TCP. */
  tls?: (node: string) => TlsCredentials;
}

export interface StartOptions {
  /** Nodes per wave (default 50). */
  wave?: number;
  /** How long a wave may take to come up before the next starts anyway (default 30 s). */
  waveTimeoutMs?: number;
  /** Whether a node of the wave is taken (default: every OVSDB and OpenFlow connection up). */
  ready?: (node: SimulatedNode) => boolean;
  /** Progress, once per wave. */
  onWave?: (started: number, total: number, ms: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Fleet {
  readonly nodes: SimulatedNode[];
  private readonly byName: Map<string, SimulatedNode>;

  constructor(
    specs: readonly SimulatedNodeOptions[],
    private options: FleetOptions,
  ) {
    this.nodes = specs.map((s) => new SimulatedNode(s));
    this.byName = new Map(this.nodes.map((n) => [n.name, n]));
  }

  get(name: string): SimulatedNode | undefined {
    return this.byName.get(name);
  }

  /** Every connection of the node up: one OVSDB and one OpenFlow per member. */
  linked(node: SimulatedNode): boolean {
    const members = this.options.memberIps.length;
    return node.ovsdb.connectedTargets().length === members && node.connections().filter((c) => c.connected).length === members;
  }

  /** Connects the nodes (all, or `nodes`) wave by wave; resolves once the last wave is up. */
  async start(options: StartOptions = {}, nodes: readonly SimulatedNode[] = this.nodes): Promise<void> {
    const size = options.wave ?? 50;
    const ready = options.ready ?? ((n: SimulatedNode) => this.linked(n));
    const timeout = options.waveTimeoutMs ?? 30_000;
    for (let at = 0; at < nodes.length; at += size) {
      const t0 = performance.now();
      const wave = nodes.slice(at, at + size);
      for (const n of wave) n.connect(this.options.memberIps, this.options.tls?.(n.name));
      // Paced on the members' answers: the next wave goes when this one is taken.
      while (performance.now() - t0 < timeout && !wave.every(ready)) await sleep(20);
      options.onWave?.(Math.min(at + size, nodes.length), nodes.length, performance.now() - t0);
    }
  }

  /** Points every node at these members (a member's address does not change across restarts, so
   *  this is for a cluster of other members). */
  retarget(memberIps: readonly string[]): void {
    this.options = { ...this.options, memberIps };
    for (const n of this.nodes) n.connect(memberIps, this.options.tls?.(n.name));
  }

  /** Closes every connection of every node. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
  }

  holdings(nodes: readonly SimulatedNode[] = this.nodes): NodeHolding[] {
    return nodes.map((n) => n.holding());
  }

  /** When flows or groups last changed on any of `nodes` (performance.now()). */
  lastChange(nodes: readonly SimulatedNode[] = this.nodes): number {
    let last = 0;
    for (const n of nodes) last = Math.max(last, n.lastChange);
    return last;
  }

  /** FLOW_MOD and GROUP_MOD received so far, per node. */
  modCounts(): Map<string, number> {
    return new Map(this.nodes.map((n) => [n.name, n.switch.counters.flowMods + n.switch.counters.groupMods]));
  }

  /** Flows and tunnels per node: mean and max. */
  sizes(): { flows: { mean: number; max: number }; tunnels: { mean: number; max: number } } {
    const flows = this.nodes.map((n) => n.switch.flowCount);
    const tunnels = this.nodes.map((n) => n.ovsdb.tunnels().length);
    const stat = (xs: number[]) => ({ mean: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length), max: Math.max(0, ...xs) });
    return { flows: stat(flows), tunnels: stat(tunnels) };
  }
}
