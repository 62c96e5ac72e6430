// `ovs-appctl ofproto/trace br-int FLOW` read back (OVS 3.1's text, test/fixtures/trace): the
// rules the packet matched in order (table, priority, cookie; a resubmit's nested rules too),
// the group buckets it took, every copy that left (its port, the VNI set before it, the VLAN
// pushed), and why nothing did (a table miss, a fast_failover group without a live bucket, a
// gate whose bucket does nothing), and what a distributed router rewrote (MACs, TTL). Only br-int counts: the br-phy sections a tunnel output
// opens (the userspace datapath's native tunnelling) are skipped. A packet conntrack recirculates
// (security groups' ct(table=N)) goes on in a section of its own after the first one.
import type { PassRule } from '../../controller/traceflow/index.ts';
import { GroupKind } from '../../controller/pipeline/index.ts';

export interface TraceOutput {
  /** The OpenFlow port it left by. */
  port: number;
  /** The tunnel id set before it (a tunnel's VNI). */
  tunId?: number;
  /** The 802.1Q tag pushed before it. */
  vlan?: number;
  /** MACs a distributed router rewrote before it, and how many times it lowered the TTL. */
  ethSrc?: string;
  ethDst?: string;
  ttlDecrements?: number;
}

export interface ParsedTrace {
  rules: PassRule[];
  outputs: TraceOutput[];
  /** Outputs OVS did not make, and why ("skipping output to input port"). */
  skipped: { port: number; why: string }[];
  /** fast_failover groups that had no live bucket. */
  deadGroups: number[];
  /** A standby gateway's gates (fast_failover) whose live bucket does nothing. */
  closedGates: number[];
  /** A pipeline table the packet found no flow in (not inside a resubmit, where a miss goes on). */
  miss?: number;
  /** ofproto/trace could not trace (bad flow, unknown port, vswitchd not answering). */
  error?: string;
}

const RULE = /^(\d+)\. (?:(.*), )?priority (\d+)(?:, cookie (0x[0-9a-f]+))?$/;
const NO_MATCH = /^(\d+)\. No match\.$/;
const BRIDGE = /^bridge\("([^"]+)"\)$/;
const BUCKET = /^bucket (\d+)$/;
const GROUP = /^group:(\d+)$/;
const OUTPUT = /^output:(\d+)$/;
const SET_TUN = /^set_field:(0x[0-9a-f]+|\d+)->tun_id$/;
const SET_VID = /^set_field:(0x[0-9a-f]+|\d+)->vlan_vid$/;
const SET_MAC = /^set_field:([0-9a-f:]{17})->eth_(src|dst)$/;
/** Rules deeper than this are a resubmit's (top-level ones are " 0." and "10."). */
const TOP_INDENT = 2;
/** OFPVID_PRESENT: set in a vlan_vid written with a tag. */
const VID_MASK = 0xfff;

/** Gates: the standby gateway's groups (router-port-gate slots, uplink gate in and out). */
export function isGateGroup(id: number): boolean {
  const kind = id >>> 24;
  return (
    (kind >= GroupKind.ROUTER_PORT_GATE && kind < GroupKind.ROUTER_PORT_GATE + 16) ||
    kind === GroupKind.UPLINK_GATE_IN ||
    kind === GroupKind.UPLINK_GATE_OUT
  );
}

interface PacketState {
  tunId?: number;
  vlan?: number;
  ethSrc?: string;
  ethDst?: string;
  ttlDecrements?: number;
}

/** A bucket being read: the packet as it was before it (each bucket starts from there). */
interface OpenBucket {
  indent: number;
  group: number;
  saved: PacketState;
  acted: boolean;
}

class TraceReader {
  readonly result: ParsedTrace = { rules: [], outputs: [], skipped: [], deadGroups: [], closedGates: [] };
  private state: PacketState = {};
  private readonly buckets: OpenBucket[] = [];
  private readonly groupAt = new Map<number, number>();
  private lastGroup: number | undefined;
  /** Lines of another bridge are skipped while deeper than its header. */
  private skipAbove: number | undefined;
  private lastWasOutput = false;

  line(raw: string): void {
    const text = raw.trim();
    if (text === '') return;
    const indent = raw.length - raw.trimStart().length;
    if (this.skipAbove !== undefined) {
      if (indent > this.skipAbove || /^-+$/.test(text)) return;
      this.skipAbove = undefined;
    }
    this.closeBuckets(indent);
    const bridge = BRIDGE.exec(text);
    if (bridge) {
      if (bridge[1] !== 'br-int') this.skipAbove = indent;
      return;
    }
    if (text.startsWith('>>')) {
      // OVS says why an output did not happen on the line after it.
      if (this.lastWasOutput) {
        const dropped = this.result.outputs.pop();
        if (dropped) this.result.skipped.push({ port: dropped.port, why: text.slice(2).trim() });
      }
      this.lastWasOutput = false;
      return;
    }
    this.lastWasOutput = false;
    if (text.startsWith('->')) return this.note(text);
    this.statement(text, indent);
  }

  /** Closes the buckets still open at the end: their state no longer matters, their gates do. */
  finish(): void {
    this.closeBuckets(-1);
  }

  private note(text: string): void {
    if (text === '-> no live bucket' && this.lastGroup !== undefined) this.result.deadGroups.push(this.lastGroup);
  }

  private closeBuckets(indent: number): void {
    while (this.buckets.length > 0 && this.buckets.at(-1)!.indent >= indent) {
      const bucket = this.buckets.pop()!;
      if (!bucket.acted && isGateGroup(bucket.group)) this.result.closedGates.push(bucket.group);
      this.state = bucket.saved;
    }
  }

  private statement(text: string, indent: number): void {
    const rule = RULE.exec(text);
    if (rule) {
      this.result.rules.push({ table: Number(rule[1]), priority: Number(rule[3]), cookie: BigInt(rule[4] ?? 0) });
      return;
    }
    const miss = NO_MATCH.exec(text);
    if (miss) {
      if (indent <= TOP_INDENT) this.result.miss = Number(miss[1]);
      return;
    }
    const bucket = BUCKET.exec(text);
    if (bucket) {
      this.buckets.push({ indent, group: this.groupAt.get(indent) ?? -1, saved: { ...this.state }, acted: false });
      return;
    }
    for (const open of this.buckets) open.acted = true;
    const group = GROUP.exec(text);
    if (group) {
      this.lastGroup = Number(group[1]);
      this.groupAt.set(indent, this.lastGroup);
      return;
    }
    const output = OUTPUT.exec(text);
    if (output) {
      this.result.outputs.push({ port: Number(output[1]), ...this.state });
      this.lastWasOutput = true;
      return;
    }
    this.action(text);
  }

  private action(text: string): void {
    const tun = SET_TUN.exec(text);
    if (tun) this.state = { ...this.state, tunId: Number(tun[1]) };
    const vid = SET_VID.exec(text);
    if (vid) this.state = { ...this.state, vlan: Number(vid[1]) & VID_MASK };
    if (text === 'pop_vlan') {
      const { vlan: _popped, ...rest } = this.state;
      this.state = rest;
    }
    const mac = SET_MAC.exec(text);
    if (mac) this.state = { ...this.state, [mac[2] === 'src' ? 'ethSrc' : 'ethDst']: mac[1] };
    if (text === 'dec_ttl') this.state = { ...this.state, ttlDecrements: (this.state.ttlDecrements ?? 0) + 1 };
  }
}

/** A section the trace resumes in after conntrack recirculates the packet (`ct(table=N)`). */
const RECIRC = /^recirc\(0x[0-9a-f]+\) - resume conntrack/;

export function parseOfprotoTrace(text: string): ParsedTrace {
  const lines = text.split('\n');
  if (!lines.some((l) => l.trim() === 'bridge("br-int")')) {
    const error = lines.map((l) => l.trim()).find(Boolean) ?? 'ofproto/trace said nothing';
    return { rules: [], outputs: [], skipped: [], deadGroups: [], closedGates: [], error };
  }
  // The first section, then each conntrack recirculation's: OVS resumes the packet there (with
  // ct_state trk|new, a new connection's first packet), so its rules and outputs follow on.
  const reader = new TraceReader();
  let reading = false;
  let resuming = true;
  for (const line of lines) {
    if (!reading) {
      if (RECIRC.test(line)) resuming = true;
      else if (resuming && line.trim() === 'bridge("br-int")') [reading, resuming] = [true, false];
      continue;
    }
    if (line.startsWith('Final flow:')) {
      reader.finish();
      reading = false;
      continue;
    }
    reader.line(line);
  }
  reader.finish();
  return reader.result;
}
