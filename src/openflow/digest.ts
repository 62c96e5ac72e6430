// A fingerprint of a switch's flow or group table, read from the multipart reply's bytes without
// decoding them. A controller that re-reads a switch only to find it unchanged (the periodic
// check that nobody else altered it) compares fingerprints instead of decoding and normalising
// every flow: decoding a dump of 750 flows allocated enough for garbage collection to take a
// quarter of a member's CPU at 100 nodes.
import { createHash } from 'node:crypto';
import { MultipartType } from './constants.ts';
import { decodeMessage } from './decoder.ts';
import type { FlowStats, GroupDesc, MultipartRequestBody } from './messages.ts';
import { allFlows, multipartReplyOf } from './multipart.ts';

/** Entries counted and a hash of them that does not depend on their order (OVS lists a table in
 *  its classifier's order, which is not the order flows were added). */
export interface TableDigest {
  entries: number;
  hash: string;
}

/** Which flows count: by table and cookie (a controller leaves out tables and cookies it does
 *  not own, such as learned flows). */
export type FlowFilter = (tableId: number, cookie: bigint) => boolean;
export type GroupFilter = (groupId: number) => boolean;

// ofp_flow_stats (OpenFlow 1.3, 7.3.5.2): length 2, table_id 1, pad 1, duration 8, priority 2,
// idle/hard timeouts 4, flags 2, pad 4, cookie 8, packet and byte counts 16, then the match and
// instructions. The duration and counters change as traffic flows; the rest is the flow.
const FLOW_TABLE_ID = 2;
const FLOW_FIXED = [12, 32] as const; // priority … cookie
const FLOW_COOKIE = 24;
const FLOW_MATCH = 48;
// ofp_group_desc: length 2, type 1, pad 1, group_id 4, buckets: no counters, all of it counts.
const GROUP_ID = 4;
/** ofp_header (8) + ofp_multipart_reply's type, flags and pad (8). */
const BODY = 16;

/** Sums each entry's 128-bit hash word by word: the same entries in any order give the same sum,
 *  and an entry listed twice counts twice. */
export class DigestAccumulator {
  private readonly words = new Uint32Array(4);
  private count = 0;

  add(...parts: Buffer[]): void {
    const h = createHash('md5');
    for (const p of parts) h.update(p);
    const d = h.digest();
    for (let i = 0; i < 4; i++) this.words[i] = (this.words[i]! + d.readUInt32BE(i * 4)) >>> 0;
    this.count++;
  }

  get value(): TableDigest {
    return { entries: this.count, hash: [...this.words].map((w) => w.toString(16).padStart(8, '0')).join('') };
  }
}

/** Adds the entries of one frame of a flow-stats reply. */
export function addFlowEntries(acc: DigestAccumulator, frame: Buffer, include?: FlowFilter): void {
  forEachEntry(frame, (entry) => {
    const tableId = entry[FLOW_TABLE_ID]!;
    if (include && !include(tableId, entry.readBigUInt64BE(FLOW_COOKIE))) return;
    acc.add(entry.subarray(FLOW_TABLE_ID, FLOW_TABLE_ID + 1), entry.subarray(...FLOW_FIXED), entry.subarray(FLOW_MATCH));
  });
}

/** Adds the entries of one frame of a group-description reply. */
export function addGroupEntries(acc: DigestAccumulator, frame: Buffer, include?: GroupFilter): void {
  forEachEntry(frame, (entry) => {
    if (include && !include(entry.readUInt32BE(GROUP_ID))) return;
    acc.add(entry);
  });
}

/** What reads a table: a session (OpenFlowConnection.multipartFrames). */
export interface FrameSource {
  multipartFrames(body: MultipartRequestBody, onFrame: (frame: Buffer) => void): Promise<void>;
}

/** The flow table's digest (entries whose table and cookie `include` takes), read from the
 *  reply's bytes: equal digests, equal flows, counters aside. With `decode`, its flows too,
 *  decoded from the same reply. */
export async function readFlowTable(
  sw: FrameSource,
  include: FlowFilter | undefined,
  decode: boolean,
): Promise<{ flows: FlowStats[]; digest: TableDigest }> {
  const acc = new DigestAccumulator();
  const flows: FlowStats[] = [];
  await sw.multipartFrames({ kind: 'flow', ...allFlows({}) }, (frame) => {
    expectReply(frame, MultipartType.FLOW);
    addFlowEntries(acc, frame, include);
    const message = decode ? decodeMessage(frame) : undefined;
    if (message?.type === 'multipart_reply' && message.body.kind === 'flow') flows.push(...message.body.flows);
  });
  return { flows, digest: acc.value };
}

/** The group table's digest, and with `decode` its groups decoded from the same reply. */
export async function readGroupTable(
  sw: FrameSource,
  include: GroupFilter | undefined,
  decode: boolean,
): Promise<{ groups: GroupDesc[]; digest: TableDigest }> {
  const acc = new DigestAccumulator();
  const groups: GroupDesc[] = [];
  await sw.multipartFrames({ kind: 'group_desc' }, (frame) => {
    expectReply(frame, MultipartType.GROUP_DESC);
    addGroupEntries(acc, frame, include);
    const message = decode ? decodeMessage(frame) : undefined;
    if (message?.type === 'multipart_reply' && message.body.kind === 'group_desc') groups.push(...message.body.groups);
  });
  return { groups, digest: acc.value };
}

function expectReply(frame: Buffer, mpType: number): void {
  const got = multipartReplyOf(frame).mpType;
  if (got !== mpType) throw new TypeError(`unexpected multipart reply type ${got}`);
}

function forEachEntry(frame: Buffer, each: (entry: Buffer) => void): void {
  const end = frame.readUInt16BE(2);
  for (let o = BODY; o + 2 <= end;) {
    const length = frame.readUInt16BE(o);
    if (length < 4 || o + length > end) throw new RangeError(`multipart entry of length ${length} at ${o} overruns its frame`);
    each(frame.subarray(o, o + length));
    o += length;
  }
}
