// A flow as the simulated switch holds it: a copy of the FLOW_MOD frame that made it, read in
// place. No decoded objects are kept (3,000 switches of ~1,000 flows share one process), and a
// flow-stats entry is the same bytes behind another 48-byte head: ofp_flow_mod and ofp_flow_stats
// both carry the match and instructions after 48 bytes.
import { BufferReader } from '../../openflow/buffer-reader.ts';
import type { BufferWriter } from '../../openflow/buffer-writer.ts';
import { FlowModFlags } from '../../openflow/constants.ts';
import { decodeMessage } from '../../openflow/decoder.ts';
import { decodeInstructions, type Instruction } from '../../openflow/instructions.ts';
import type { FlowStats } from '../../openflow/messages.ts';

/** The FLOW_MOD frame with its xid replaced by the flow's creation time (CLOCK_ORIGIN ms). */
export type StoredFlow = Buffer;

const CREATED = 4; // the header's xid
const COOKIE = 8;
const TABLE = 24;
const IDLE = 26;
const HARD = 28;
const PRIORITY = 30;
const FLAGS = 44;
/** ofp_match's start, in a flow-mod as in a flow-stats entry. */
const MATCH = 48;

/** Origin of the flows' creation times: u32 milliseconds last 49 days. */
const CLOCK_ORIGIN = Date.now();
export const clockMs = (now = Date.now()): number => (now - CLOCK_ORIGIN) >>> 0;

/** A flow made by `frame` (a FLOW_MOD add), created now. */
export function storeFlow(frame: Buffer, now: number): StoredFlow {
  const f = Buffer.allocUnsafe(frame.length); // small: from Node's shared pool
  frame.copy(f);
  f.writeUInt32BE(clockMs(now), CREATED);
  return f;
}

/** Where the instructions start: after the match, padded to 8 bytes. */
function instructionsAt(frame: Buffer): number {
  return MATCH + ((frame.readUInt16BE(MATCH + 2) + 7) & ~7);
}

/** `flow` with the instructions of `frame` (a FLOW_MOD modify): cookie, timeouts, flags and age
 *  stay, as OpenFlow 1.3's modify keeps them. */
export function withInstructions(flow: StoredFlow, frame: Buffer): StoredFlow {
  const head = instructionsAt(flow);
  const from = instructionsAt(frame);
  const f = Buffer.allocUnsafe(head + frame.length - from);
  flow.copy(f, 0, 0, head);
  frame.copy(f, head, from);
  f.writeUInt16BE(f.length, 2);
  return f;
}

export const flowTable = (f: StoredFlow): number => f[TABLE]!;
export const flowPriority = (f: StoredFlow): number => f.readUInt16BE(PRIORITY);
export const flowCookie = (f: StoredFlow): bigint => f.readBigUInt64BE(COOKIE);
export const flowFlags = (f: StoredFlow): number => f.readUInt16BE(FLAGS);
export const flowIdleTimeout = (f: StoredFlow): number => f.readUInt16BE(IDLE);
export const flowHardTimeout = (f: StoredFlow): number => f.readUInt16BE(HARD);
/** The controller asked for a FLOW_REMOVED when it goes. */
export const reportsRemoval = (f: StoredFlow): boolean => (flowFlags(f) & FlowModFlags.SEND_FLOW_REM) !== 0;
export const hasTimeout = (f: StoredFlow): boolean => flowIdleTimeout(f) !== 0 || flowHardTimeout(f) !== 0;
/** Milliseconds since the flow was made (an add; a modify keeps it). */
export const flowAgeMs = (f: StoredFlow, now: number): number => (clockMs(now) - f.readUInt32BE(CREATED)) >>> 0;

/** The flow's cookie selected by `cookie`/`mask` (OpenFlow's cookie filter). */
export function cookieMatches(f: StoredFlow, cookie: bigint, mask: bigint): boolean {
  return mask === 0n || (flowCookie(f) & mask) === (cookie & mask);
}

/** Its instructions, decoded (for filters on output port or group, and flows()). */
export function flowInstructions(f: StoredFlow): Instruction[] {
  return decodeInstructions(new BufferReader(f, instructionsAt(f)));
}

/** The instruction bytes as the controller sent them. */
export const instructionBytes = (f: StoredFlow): Buffer => f.subarray(instructionsAt(f));

/** Whether a hard or idle timeout has passed (no traffic here: a flow is idle since made). */
export function expired(f: StoredFlow, now: number): 'idle' | 'hard' | undefined {
  const age = flowAgeMs(f, now);
  const hard = flowHardTimeout(f);
  if (hard !== 0 && age >= hard * 1000) return 'hard';
  const idle = flowIdleTimeout(f);
  return idle !== 0 && age >= idle * 1000 ? 'idle' : undefined;
}

/** One ofp_flow_stats entry (its length is the frame's), counters zero. */
export function writeFlowStats(w: BufferWriter, f: StoredFlow, now: number): void {
  const age = flowAgeMs(f, now);
  w.u16(f.length).u8(flowTable(f)).zeros(1);
  w.u32(Math.floor(age / 1000)).u32((age % 1000) * 1_000_000);
  w.u16(flowPriority(f)).u16(flowIdleTimeout(f)).u16(flowHardTimeout(f)).u16(flowFlags(f)).zeros(4);
  w.bytes(f.subarray(COOKIE, COOKIE + 8)).zeros(16);
  w.bytes(f.subarray(MATCH));
}

/** The flow as flow stats decode it. */
export function decodeFlow(f: StoredFlow, now: number): FlowStats {
  const m = decodeMessage(f);
  if (m.type !== 'flow_mod') throw new TypeError('a stored flow is a flow_mod');
  const age = flowAgeMs(f, now);
  return {
    tableId: m.tableId,
    durationSec: Math.floor(age / 1000),
    durationNsec: (age % 1000) * 1_000_000,
    priority: m.priority,
    idleTimeout: m.idleTimeout,
    hardTimeout: m.hardTimeout,
    flags: m.flags,
    cookie: m.cookie,
    packetCount: 0n,
    byteCount: 0n,
    match: m.match,
    instructions: m.instructions,
  };
}
