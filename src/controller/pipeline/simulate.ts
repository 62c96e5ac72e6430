// A tiny interpreter of the pipeline's own flows and groups, for tests: where does a frame that
// enters on a port end up? It knows exactly the fields and actions this pipeline uses, and, like
// Open vSwitch, never outputs a frame to the port it came in on.
import type { Action, Bucket, Instruction, Match, OxmField } from '../../openflow/index.ts';
import { matchKey } from './normalize.ts';

export interface SimFlow {
  tableId: number;
  priority: number;
  match: Match;
  instructions: Instruction[];
}
export interface SimGroup {
  groupId: number;
  groupType?: string;
  buckets: Bucket[];
}
export interface SimPacket {
  inPort: number;
  tunnelId?: bigint;
  ethDst: string;
  /** 0x1000 | VLAN when tagged; absent: untagged (OFPVID_NONE). */
  vlanVid?: number;
}
export interface SimOptions {
  /** Ports whose liveness is down (BFD): fast-failover groups skip buckets watching them. */
  deadPorts?: readonly number[];
}
export interface SimOutput {
  port: number;
  tunnelId: bigint | undefined;
}

interface State {
  inPort: number;
  tunnelId: bigint | undefined;
  ethDst: bigint;
  vlanVid: number;
  metadata: bigint;
  reg6: number;
}

const macBig = (m: string) => BigInt(`0x${m.replace(/[:-]/g, '')}`);
const big = (v: unknown): bigint => (typeof v === 'string' ? macBig(v) : BigInt(v as number | bigint));

function fieldValue(s: State, f: OxmField): bigint | undefined {
  switch (f.field) {
    case 'in_port':
      return BigInt(s.inPort);
    case 'tunnel_id':
      return s.tunnelId;
    case 'metadata':
      return s.metadata;
    case 'reg6':
      return BigInt(s.reg6);
    case 'eth_dst':
      return s.ethDst;
    case 'vlan_vid':
      return BigInt(s.vlanVid);
    default:
      throw new Error(`simulate: field ${f.field} not modelled`);
  }
}

function matches(s: State, match: Match): boolean {
  return match.every((f) => {
    if (f.field === 'raw') throw new Error('simulate: raw OXM');
    const v = fieldValue(s, f);
    if (v === undefined) return false;
    const mask = f.mask === undefined ? -1n : big(f.mask);
    return (v & mask) === (big(f.value) & mask);
  });
}

export function simulate(flows: readonly SimFlow[], groups: readonly SimGroup[], pkt: SimPacket, options: SimOptions = {}): SimOutput[] {
  const dead = new Set(options.deadPorts ?? []);
  const out: SimOutput[] = [];
  const groupById = new Map(groups.map((g) => [g.groupId, g]));
  const apply = (s: State, actions: readonly Action[]) => {
    for (const a of actions) {
      if (a.type === 'output') {
        if (a.port !== s.inPort) out.push({ port: a.port, tunnelId: s.tunnelId });
      } else if (a.type === 'set_field') {
        if (a.field.field === 'reg6') s.reg6 = Number(a.field.value);
        else if (a.field.field === 'tunnel_id') s.tunnelId = BigInt(a.field.value);
        else throw new Error(`simulate: set_field ${a.field.field}`);
      } else if (a.type === 'group') {
        const g = groupById.get(a.groupId);
        if (!g) throw new Error(`simulate: no group ${a.groupId}`);
        if (g.groupType === 'fast_failover') {
          // The first bucket whose watched port is alive, as OVS does.
          const live = g.buckets.find((b) => !dead.has(b.watchPort));
          if (live) apply({ ...s }, live.actions);
        } else for (const b of g.buckets) apply({ ...s }, b.actions);
      } else throw new Error(`simulate: action ${a.type}`);
    }
  };
  const s: State = {
    inPort: pkt.inPort,
    tunnelId: pkt.tunnelId,
    ethDst: macBig(pkt.ethDst),
    vlanVid: pkt.vlanVid ?? 0,
    metadata: 0n,
    reg6: 0,
  };
  let table: number | undefined = 0;
  for (let hops = 0; table !== undefined && hops < 16; hops++) {
    const candidates = flows.filter((f) => f.tableId === table && matches(s, f.match)).sort((a, b) => b.priority - a.priority);
    const [best, next] = candidates;
    if (best && next && next.priority === best.priority && matchKey(best.match) !== matchKey(next.match)) {
      throw new Error(`simulate: ambiguous flows in table ${table} at priority ${best.priority}`);
    }
    table = undefined;
    if (!best) break;
    for (const i of best.instructions) {
      if (i.type === 'apply_actions') apply(s, i.actions);
      else if (i.type === 'write_metadata') s.metadata = (s.metadata & ~i.mask) | (i.metadata & i.mask);
      else if (i.type === 'goto_table') table = i.tableId;
      else throw new Error(`simulate: instruction ${i.type}`);
    }
  }
  return out;
}
