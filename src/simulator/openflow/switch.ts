// A simulated transport node's br-int: one OpenFlow 1.3 datapath, in memory, connecting out to
// each controller target as ovs-vswitchd does, and answering as Open vSwitch 3.1 answers. No
// data plane: packets sent to it are dropped, and it sends none.
import { EventEmitter } from 'node:events';
import { flowKey, instructionsKey } from '../../controller/pipeline/normalize.ts';
import { BufferWriter } from '../../openflow/buffer-writer.ts';
import type { ControllerRole } from '../../openflow/constants.ts';
import { encodeInstructions } from '../../openflow/instructions.ts';
import type { FlowStats, GroupDesc, PortDesc } from '../../openflow/messages.ts';
import type { MeterDesc } from '../../openflow/meter.ts';
import { PortConfig, PortState } from '../../openflow/port.ts';
import { Port } from '../../openflow/constants.ts';
import { OPENFLOW_PORT } from '../../model/index.ts';
import { parseRemote } from '../../ovsdb/remote.ts';
import type { TlsCredentials } from '../../util/tls.ts';
import { ControllerLink, type LinkTarget } from './controller-link.ts';
import { Datapath, type ModCounters } from './datapath.ts';
import { decodeFlow, flowCookie, flowHardTimeout, flowIdleTimeout, flowInstructions, instructionBytes } from './flow-entry.ts';
import { startTicking, stopTicking } from './probe-clock.ts';

export interface SimulatedPort {
  name: string;
  ofport: number;
  mac: string;
}

export interface SimulatedSwitchOptions {
  datapathId: bigint;
  /** The bridge's name, its LOCAL port's (default br-int). */
  bridge?: string;
  /** Ports there from the start (no PORT_STATUS for them). */
  ports?: readonly SimulatedPort[];
  /** Wait between connection attempts, as the Controller row's max_backoff (default 1000 ms). */
  maxBackoff?: number;
  /** Probe a controller silent this long, drop it after as long again (default 5000 ms, as
   *  OVS's inactivity_probe; 0: never). */
  inactivityProbe?: number;
}

/** One controller connection, for the bench. */
export interface ConnectionStatus extends ModCounters {
  target: string;
  connected: boolean;
  role: ControllerRole;
  /** Handshakes completed so far. */
  connects: number;
  lastError: string | undefined;
}

export interface SimulatedSwitchEvents {
  /** A controller finished the HELLO exchange. */
  connected: [target: string];
  disconnected: [target: string];
  /** Flows, groups or meters changed (once per chunk of input that changed them). */
  changed: [];
}

/** What a flow is compared on: the fields reconcile() compares (flow stats, or a FlowMod). */
export type ComparedFlow = Pick<FlowStats, 'tableId' | 'priority' | 'match' | 'cookie' | 'idleTimeout' | 'hardTimeout' | 'instructions'>;

const scratch = new BufferWriter(1024);

/** A port as a veth or tunnel on br-int reports itself: up, 10 Gbit/s copper. */
function portDesc(p: SimulatedPort): PortDesc {
  const curr = (1 << 6) | (1 << 11); // OFPPF_10GB_FD | OFPPF_COPPER
  return {
    portNo: p.ofport,
    hwAddr: p.mac,
    name: p.name,
    config: 0,
    state: PortState.LIVE,
    curr,
    advertised: 0,
    supported: 0,
    peer: 0,
    currSpeed: 10_000_000,
    maxSpeed: 0,
  };
}

/** `tcp:IP[:PORT]` or `ssl:IP[:PORT]`; OpenFlow's port when none is given. */
function linkTarget(target: string): LinkTarget {
  const r = parseRemote(target);
  if (r.kind !== 'tcp' && r.kind !== 'ssl') throw new RangeError(`${target}: a switch connects to tcp: or ssl: targets`);
  const port = /:\d+$/.test(target.slice(4)) ? r.port : OPENFLOW_PORT;
  return { target, secure: r.kind === 'ssl', host: r.host, port };
}

export class SimulatedSwitch extends EventEmitter<SimulatedSwitchEvents> {
  readonly datapathId: bigint;
  private readonly dp: Datapath;
  private links: ControllerLink[] = [];
  private readonly backoffMs: number;
  private readonly probeMs: number;

  constructor(options: SimulatedSwitchOptions) {
    super();
    this.datapathId = options.datapathId;
    this.backoffMs = Math.min(options.maxBackoff ?? 1000, 1000);
    this.probeMs = options.inactivityProbe ?? 5000;
    const mac = (options.datapathId & 0xffffffffffffn)
      .toString(16)
      .padStart(12, '0')
      .replace(/(..)(?!$)/g, '$1:');
    // LOCAL, down as br-int's own interface is on a node.
    const local = {
      ...portDesc({ name: options.bridge ?? 'br-int', ofport: Port.LOCAL, mac }),
      config: PortConfig.PORT_DOWN,
      state: PortState.LINK_DOWN,
    };
    this.dp = new Datapath(options.datapathId, local, () => this.links.filter((l) => l.isOpen));
    for (const p of options.ports ?? []) this.dp.addPort(portDesc(p));
  }

  /** Connects to each target (again: the targets now wanted), over TLS for ssl: ones. */
  connect(targets: readonly string[], tls?: TlsCredentials): void {
    const wanted = targets.map(linkTarget);
    for (const l of this.links) if (!targets.includes(l.target)) l.stop();
    const kept = this.links.filter((l) => targets.includes(l.target));
    const fresh = wanted.filter((t) => !kept.some((l) => l.target === t.target)).map((t) => this.link(t, tls));
    this.links = [...kept, ...fresh];
    for (const l of fresh) l.start();
    startTicking(this);
  }

  /** Drops every connection; the switch keeps its flows (as ovs-vswitchd does across them). */
  async close(): Promise<void> {
    stopTicking(this);
    for (const l of this.links) l.stop();
    this.links = [];
  }

  /** A port on br-int (PORT_STATUS ADD to every controller; MODIFY when its number is taken). */
  addPort(port: SimulatedPort): void {
    this.dp.addPort(portDesc(port));
  }

  /** PORT_STATUS DELETE to every controller; nothing when there is no such port. */
  removePort(ofport: number): void {
    this.dp.removePort(ofport);
  }

  ports(): PortDesc[] {
    return this.dp.ports();
  }

  /** Its flows as flow stats give them (decoded: reconcile() compares these). */
  flows(now = Date.now()): FlowStats[] {
    return [...this.dp.flows.entries()].map(([, f]) => decodeFlow(f, now));
  }

  get flowCount(): number {
    return this.dp.flows.size;
  }

  /** Whether the switch holds this flow as reconcile() would see it (same key, cookie, timeouts
   *  and instructions): cheap, without decoding what the switch holds when its bytes are the
   *  ones the pipeline's encoding gives. */
  hasFlow(f: ComparedFlow): boolean {
    const held = this.dp.flows.get(flowKey(f));
    if (!held || flowCookie(held) !== f.cookie) return false;
    if (flowIdleTimeout(held) !== f.idleTimeout || flowHardTimeout(held) !== f.hardTimeout) return false;
    scratch.reset();
    encodeInstructions(scratch, f.instructions);
    return instructionBytes(held).equals(scratch.view()) || instructionsKey(flowInstructions(held)) === instructionsKey(f.instructions);
  }

  groups(): GroupDesc[] {
    return this.dp.groups.list();
  }

  meters(): MeterDesc[] {
    return this.dp.meters.list();
  }

  /** Empties flows, groups and meters, as a node's restart does. */
  clear(): void {
    this.dp.clear();
    this.changed();
  }

  /** FLOW_MOD, GROUP_MOD, METER_MOD received in total, and refused. */
  get counters(): Readonly<ModCounters> {
    return this.dp.totals;
  }

  connections(): ConnectionStatus[] {
    return this.links.map((l) => ({
      target: l.target,
      connected: l.isOpen,
      role: l.role,
      connects: l.connects,
      lastError: l.lastError,
      ...l.counters,
    }));
  }

  /** probe-clock.ts: inactivity probes, flow timeouts. */
  tick(now: number): void {
    for (const l of this.links) l.tick(now);
    this.dp.expire(now);
    this.changed();
  }

  private link(to: LinkTarget, tls: TlsCredentials | undefined): ControllerLink {
    return new ControllerLink(to, {
      tls,
      backoffMs: this.backoffMs,
      probeMs: this.probeMs,
      onMessage: (link, msg, frame) => this.dp.handle(link, msg, frame, Date.now()),
      onInput: () => this.changed(),
      onOpen: (link) => this.emit('connected', link.target),
      onClose: (link) => this.emit('disconnected', link.target),
    });
  }

  private changed(): void {
    if (!this.dp.changed) return;
    this.dp.changed = false;
    this.emit('changed');
  }
}
