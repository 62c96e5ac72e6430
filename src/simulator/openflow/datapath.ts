// One datapath's OpenFlow behaviour, apart from its connections: what it answers each message
// a controller sends, and what it tells every controller unasked (port status, flow removed).
// Everything a message does is done when handle() returns, so a BARRIER is answered at once:
// every earlier message on its connection is applied by then.
import { FlowRemovedReason, MsgType, PortReason, type ControllerRole } from '../../openflow/constants.ts';
import type { FlowMod, OfMessage, OutgoingMessage, PortDesc, SwitchDesc } from '../../openflow/messages.ts';
import { decodeMessage } from '../../openflow/decoder.ts';
import { expired, reportsRemoval, flowAgeMs, flowCookie, flowHardTimeout, flowIdleTimeout, flowPriority, flowTable } from './flow-entry.ts';
import { N_TABLES } from './flow-checks.ts';
import { applyFlowMod, removeUsers, type Removal } from './flow-mods.ts';
import { FlowTable } from './flow-table.ts';
import { GroupTable } from './group-table.ts';
import { MeterTable } from './meter-table.ts';
import { answerMultipart, type SwitchView } from './multipart-replies.ts';
import { Refused, type Refusal } from './refusal.ts';
import { Roles } from './roles.ts';

/** Messages counted per connection and in total. */
export interface ModCounters {
  flowMods: number;
  groupMods: number;
  meterMods: number;
  /** Requests answered with an error (a slave's writes among them). */
  refused: number;
}

export const newCounters = (): ModCounters => ({ flowMods: 0, groupMods: 0, meterMods: 0, refused: 0 });

/** A controller connection as the datapath sees it. */
export interface Peer {
  role: ControllerRole;
  missSendLen: number;
  readonly counters: ModCounters;
  /** Unsolicited messages go with xid 0 unless given one. */
  send(msg: OutgoingMessage): void;
  /** Frames already encoded. */
  sendFrames(frames: Buffer): void;
}

/** FEATURES_REPLY as ovs-vswitchd 3.1 gives it: no buffers, 254 tables, flow, table, port,
 *  group and queue stats. */
const N_BUFFERS = 0;
const CAPABILITIES = 0x4f;
const DEFAULT_MISS_SEND_LEN = 128;
/** Message types a slave may not send (OVS's reject_slave_controller). */
const WRITES = new Set(['flow_mod', 'group_mod', 'meter_mod', 'packet_out']);
/** PORT_MOD, TABLE_MOD: writes too, taken and ignored. SET_ASYNC: taken and ignored. */
const QUIET_RAW = new Set<number>([MsgType.PORT_MOD, MsgType.TABLE_MOD, MsgType.SET_ASYNC]);

export class Datapath implements SwitchView {
  readonly flows = new FlowTable();
  readonly groups = new GroupTable();
  readonly meters = new MeterTable();
  readonly totals = newCounters();
  readonly desc: SwitchDesc = {
    mfrDesc: 'nvlab',
    hwDesc: 'simulated Open vSwitch',
    swDesc: 'nvlab simulator',
    serialNum: 'None',
    dpDesc: 'None',
  };
  /** Set when a message changed flows, groups or meters; cleared by whoever watches. */
  changed = false;
  private readonly roles = new Roles();
  private readonly portMap = new Map<number, PortDesc>();
  private fragFlags = 0;

  constructor(
    readonly datapathId: bigint,
    private readonly local: PortDesc,
    private readonly peers: () => Iterable<Peer>,
  ) {}

  /** Resets a connection's per-connection state, as a new connection starts. */
  static connected(peer: Peer): void {
    peer.role = 'equal';
    peer.missSendLen = DEFAULT_MISS_SEND_LEN;
  }

  ports(): PortDesc[] {
    return [this.local, ...[...this.portMap.values()].sort((a, b) => a.portNo - b.portNo)];
  }

  /** A new port (ADD), or a port's new description (MODIFY). */
  addPort(port: PortDesc): void {
    const reason = this.portMap.has(port.portNo) ? PortReason.MODIFY : PortReason.ADD;
    this.portMap.set(port.portNo, port);
    this.tellAll({ type: 'port_status', reason, port });
  }

  removePort(portNo: number): void {
    const port = this.portMap.get(portNo);
    if (!port) return;
    this.portMap.delete(portNo);
    this.tellAll({ type: 'port_status', reason: PortReason.DELETE, port });
  }

  /** Applies one message from `peer` (`frame` its bytes) and answers it. */
  handle(peer: Peer, msg: OfMessage, frame: Buffer, now: number): void {
    const refusal = this.apply(peer, msg, frame, now);
    if (refusal) this.refuse(peer, refusal, msg.xid, frame);
  }

  /** Answers a frame that does not decode, as OVS answers a malformed request. */
  refuse(peer: Peer, refusal: Refusal, xid: number, frame: Buffer): void {
    peer.counters.refused += 1;
    this.totals.refused += 1;
    peer.send({ type: 'error', xid, errorType: refusal.type, errorCode: refusal.code, data: frame });
  }

  // One case per message type; each is a line or two.
  private apply(peer: Peer, msg: OfMessage, frame: Buffer, now: number): Refusal | void {
    if (peer.role === 'slave' && WRITES.has(msg.type)) {
      this.count(peer, msg.type);
      return Refused.IS_SLAVE;
    }
    switch (msg.type) {
      case 'features_request': {
        const reply = { nBuffers: N_BUFFERS, nTables: N_TABLES, auxiliaryId: 0, capabilities: CAPABILITIES };
        return peer.send({ type: 'features_reply', xid: msg.xid, datapathId: this.datapathId, ...reply });
      }
      case 'get_config_request':
        return peer.send({ type: 'get_config_reply', xid: msg.xid, flags: this.fragFlags, missSendLen: peer.missSendLen });
      case 'set_config':
        if (peer.role !== 'slave') this.fragFlags = msg.flags;
        peer.missSendLen = msg.missSendLen;
        return;
      case 'role_request': {
        const answer = this.roles.request(peer, msg, this.peers());
        return 'role' in answer ? peer.send({ type: 'role_reply', xid: msg.xid, ...answer }) : answer;
      }
      case 'barrier_request':
        return peer.send({ type: 'barrier_reply', xid: msg.xid });
      case 'flow_mod':
        this.count(peer, msg.type);
        return this.flowMod(msg, frame, now);
      case 'group_mod':
        this.count(peer, msg.type);
        return this.groupMod(msg, frame, now);
      case 'meter_mod':
        this.count(peer, msg.type);
        return this.meterMod(msg, now);
      case 'packet_out':
        return; // no data plane: taken and dropped
      case 'multipart_request': {
        const answer = answerMultipart(this, msg.xid, msg.body, now);
        return Buffer.isBuffer(answer) ? peer.sendFrames(answer) : answer;
      }
      case 'experimenter':
        return Refused.BAD_EXPERIMENTER;
      case 'raw':
        if (!QUIET_RAW.has(msg.msgType)) return Refused.BAD_TYPE;
        return peer.role === 'slave' && msg.msgType !== MsgType.SET_ASYNC ? Refused.IS_SLAVE : undefined;
      default:
        return Refused.BAD_TYPE; // a switch's own messages, sent to it
    }
  }

  private count(peer: Peer, type: string): void {
    const field = type === 'flow_mod' ? 'flowMods' : type === 'group_mod' ? 'groupMods' : type === 'meter_mod' ? 'meterMods' : undefined;
    if (!field) return;
    peer.counters[field] += 1;
    this.totals[field] += 1;
  }

  private flowMod(msg: FlowMod, frame: Buffer, now: number): Refusal | undefined {
    const outcome = applyFlowMod(this, msg, frame, now);
    if ('refusal' in outcome) return outcome.refusal;
    if (outcome.changed) this.changed = true;
    this.tellRemoved(outcome.removed, now);
    return undefined;
  }

  private groupMod(msg: Extract<OfMessage, { type: 'group_mod' }>, frame: Buffer, now: number): Refusal | undefined {
    const outcome = this.groups.apply(msg, frame);
    if ('refusal' in outcome) return outcome.refusal;
    this.changed = true;
    this.tellRemoved(removeUsers(this.flows, 'group', outcome.deleted), now);
    return undefined;
  }

  private meterMod(msg: Extract<OfMessage, { type: 'meter_mod' }>, now: number): Refusal | undefined {
    const outcome = this.meters.apply(msg);
    if ('refusal' in outcome) return outcome.refusal;
    this.changed = true;
    this.tellRemoved(removeUsers(this.flows, 'meter', outcome.deleted), now);
    return undefined;
  }

  /** Removes the flows whose timeout passed (no traffic: idle since made). */
  expire(now: number): void {
    if (!this.flows.hasTimed) return;
    const removed: Removal[] = [];
    for (const [key, flow] of this.flows.timedEntries()) {
      const why = expired(flow, now);
      if (!why) continue;
      this.flows.remove(key);
      this.changed = true;
      if (reportsRemoval(flow))
        removed.push({ flow, reason: why === 'idle' ? FlowRemovedReason.IDLE_TIMEOUT : FlowRemovedReason.HARD_TIMEOUT });
    }
    this.tellRemoved(removed, now);
  }

  /** Empties flows, groups and meters (what `ovs-ofctl del-flows` and a restart do). */
  clear(): void {
    this.flows.clear();
    this.groups.clear();
    this.meters.clear();
    this.changed = true;
  }

  /** FLOW_REMOVED to the masters and equals (a slave's default asynchronous config has none). */
  private tellRemoved(removed: readonly Removal[], now: number): void {
    for (const { flow, reason } of removed) {
      const m = decodeMessage(flow) as FlowMod;
      const age = flowAgeMs(flow, now);
      const msg: OutgoingMessage = {
        type: 'flow_removed',
        xid: 0,
        cookie: flowCookie(flow),
        priority: flowPriority(flow),
        reason,
        tableId: flowTable(flow),
        durationSec: Math.floor(age / 1000),
        durationNsec: (age % 1000) * 1_000_000,
        idleTimeout: flowIdleTimeout(flow),
        hardTimeout: flowHardTimeout(flow),
        packetCount: 0n,
        byteCount: 0n,
        match: m.match,
      };
      for (const p of this.peers()) if (p.role !== 'slave') p.send(msg);
    }
  }

  /** Port status goes to every connection, slaves included (their default async config). */
  private tellAll(msg: OutgoingMessage): void {
    for (const p of this.peers()) p.send({ ...msg, xid: 0 } as OutgoingMessage);
  }
}
