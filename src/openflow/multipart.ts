// MULTIPART bodies: desc, flow stats, aggregate, port desc, group desc, port and group stats,
// meter stats, config and features, requests and replies.
// A reply may come in several messages (MORE flag); mergeMultipartReplies() joins the parts.
import type { BufferReader } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import { Group, MULTIPART_MORE, MultipartType, multipartTypeCode, Port, TABLE_ALL } from './constants.ts';
import { OpenFlowDecodeError } from './errors.ts';
import { decodeGroupDesc, encodeGroupDesc } from './group.ts';
import { decodeInstructions, encodeInstructions } from './instructions.ts';
import { decodeMatch, encodeMatch } from './match.ts';
import {
  decodeMeterConfigList,
  decodeMeterFeatures,
  decodeMeterStatsList,
  encodeMeterConfig,
  encodeMeterFeatures,
  encodeMeterStats,
  METER_FEATURES_LEN,
} from './meter.ts';
import type { FlowStats, FlowStatsFilter, MultipartReplyBody, MultipartRequestBody } from './messages.ts';
import { decodePortDesc, encodePortDesc, PORT_DESC_LEN } from './port.ts';
import {
  decodeGroupStatsList,
  decodePortStatsList,
  decodeStatsRequest,
  encodeGroupStats,
  encodePortStats,
  encodeStatsRequest,
} from './stats.ts';

const DESC_STR_LEN = 256;
const SERIAL_NUM_LEN = 32;
const FLOW_STATS_FIXED_LEN = 48;

/** A filter that selects every flow in every table. */
export function allFlows(overrides: Partial<FlowStatsFilter> = {}): FlowStatsFilter {
  return { tableId: TABLE_ALL, outPort: Port.ANY, outGroup: Group.ANY, cookie: 0n, cookieMask: 0n, match: [], ...overrides };
}

/** A request's or reply's OFPMP_ type. */
export function multipartType(body: MultipartRequestBody | MultipartReplyBody): number {
  return body.kind === 'raw' ? body.mpType : multipartTypeCode[body.kind];
}

export function encodeMultipartRequestBody(w: BufferWriter, body: MultipartRequestBody): void {
  switch (body.kind) {
    case 'flow':
    case 'aggregate':
      w.u8(body.tableId).zeros(3).u32(body.outPort).u32(body.outGroup).zeros(4).u64(body.cookie).u64(body.cookieMask);
      encodeMatch(w, body.match);
      return;
    case 'port_stats':
      encodeStatsRequest(w, body.portNo);
      return;
    case 'group':
      encodeStatsRequest(w, body.groupId);
      return;
    case 'meter':
    case 'meter_config':
      encodeStatsRequest(w, body.meterId);
      return;
    case 'raw':
      w.bytes(body.data);
      return;
    default:
      return;
  }
}

/** The requests that have no body, by type. */
const EMPTY_REQUESTS: Record<number, 'desc' | 'port_desc' | 'group_desc' | 'meter_features'> = {
  [MultipartType.DESC]: 'desc',
  [MultipartType.PORT_DESC]: 'port_desc',
  [MultipartType.GROUP_DESC]: 'group_desc',
  [MultipartType.METER_FEATURES]: 'meter_features',
};

export function decodeMultipartRequestBody(mpType: number, r: BufferReader): MultipartRequestBody {
  switch (mpType) {
    case MultipartType.DESC:
    case MultipartType.PORT_DESC:
    case MultipartType.GROUP_DESC:
    case MultipartType.METER_FEATURES: {
      const kind = EMPTY_REQUESTS[mpType]!;
      if (r.remaining !== 0) throw new OpenFlowDecodeError(`${kind} request: unexpected body`);
      return { kind };
    }
    case MultipartType.FLOW:
    case MultipartType.AGGREGATE: {
      const tableId = r.u8();
      r.skip(3);
      const outPort = r.u32();
      const outGroup = r.u32();
      r.skip(4);
      const cookie = r.u64();
      const cookieMask = r.u64();
      const match = decodeMatch(r);
      if (r.remaining !== 0) throw new OpenFlowDecodeError('flow stats request: trailing bytes');
      return { kind: mpType === MultipartType.FLOW ? 'flow' : 'aggregate', tableId, outPort, outGroup, cookie, cookieMask, match };
    }
    case MultipartType.PORT_STATS:
      return { kind: 'port_stats', portNo: decodeStatsRequest(r, 'port stats') };
    case MultipartType.GROUP:
      return { kind: 'group', groupId: decodeStatsRequest(r, 'group stats') };
    case MultipartType.METER:
      return { kind: 'meter', meterId: decodeStatsRequest(r, 'meter stats') };
    case MultipartType.METER_CONFIG:
      return { kind: 'meter_config', meterId: decodeStatsRequest(r, 'meter config') };
    default:
      return { kind: 'raw', mpType, data: r.rest() };
  }
}

function encodeFlowStats(w: BufferWriter, f: FlowStats): void {
  const start = w.offset;
  w.u16(0).u8(f.tableId).zeros(1).u32(f.durationSec).u32(f.durationNsec);
  w.u16(f.priority).u16(f.idleTimeout).u16(f.hardTimeout).u16(f.flags).zeros(4);
  w.u64(f.cookie).u64(f.packetCount).u64(f.byteCount);
  encodeMatch(w, f.match);
  encodeInstructions(w, f.instructions);
  w.patchU16(start, w.offset - start);
}

function decodeFlowStats(r: BufferReader): FlowStats {
  const len = r.peekU16(0, 'flow stats length');
  if (len < FLOW_STATS_FIXED_LEN + 8) throw new OpenFlowDecodeError(`flow stats: bad length ${len}`);
  const b = r.sub(len, 'flow stats entry');
  b.skip(2);
  const tableId = b.u8();
  b.skip(1);
  const durationSec = b.u32();
  const durationNsec = b.u32();
  const priority = b.u16();
  const idleTimeout = b.u16();
  const hardTimeout = b.u16();
  const flags = b.u16();
  b.skip(4);
  const cookie = b.u64();
  const packetCount = b.u64();
  const byteCount = b.u64();
  const match = decodeMatch(b);
  const instructions = decodeInstructions(b);
  return {
    tableId,
    durationSec,
    durationNsec,
    priority,
    idleTimeout,
    hardTimeout,
    flags,
    cookie,
    packetCount,
    byteCount,
    match,
    instructions,
  };
}

export function encodeMultipartReplyBody(w: BufferWriter, body: MultipartReplyBody): void {
  switch (body.kind) {
    case 'desc':
      w.fixedString(body.mfrDesc, DESC_STR_LEN).fixedString(body.hwDesc, DESC_STR_LEN);
      w.fixedString(body.swDesc, DESC_STR_LEN).fixedString(body.serialNum, SERIAL_NUM_LEN);
      w.fixedString(body.dpDesc, DESC_STR_LEN);
      return;
    case 'flow':
      for (const f of body.flows) encodeFlowStats(w, f);
      return;
    case 'aggregate':
      w.u64(body.packetCount).u64(body.byteCount).u32(body.flowCount).zeros(4);
      return;
    case 'port_desc':
      for (const p of body.ports) encodePortDesc(w, p);
      return;
    case 'group_desc':
      for (const g of body.groups) encodeGroupDesc(w, g);
      return;
    case 'port_stats':
      for (const p of body.ports) encodePortStats(w, p);
      return;
    case 'group':
      for (const g of body.groups) encodeGroupStats(w, g);
      return;
    case 'meter':
      for (const m of body.meters) encodeMeterStats(w, m);
      return;
    case 'meter_config':
      for (const m of body.meters) encodeMeterConfig(w, m);
      return;
    case 'meter_features':
      encodeMeterFeatures(w, body);
      return;
    case 'raw':
      w.bytes(body.data);
      return;
  }
}

export function decodeMultipartReplyBody(mpType: number, r: BufferReader): MultipartReplyBody {
  switch (mpType) {
    case MultipartType.DESC:
      return {
        kind: 'desc',
        mfrDesc: r.fixedString(DESC_STR_LEN),
        hwDesc: r.fixedString(DESC_STR_LEN),
        swDesc: r.fixedString(DESC_STR_LEN),
        serialNum: r.fixedString(SERIAL_NUM_LEN),
        dpDesc: r.fixedString(DESC_STR_LEN),
      };
    case MultipartType.FLOW: {
      const flows: FlowStats[] = [];
      while (r.remaining > 0) flows.push(decodeFlowStats(r));
      return { kind: 'flow', flows };
    }
    case MultipartType.AGGREGATE: {
      const packetCount = r.u64();
      const byteCount = r.u64();
      const flowCount = r.u32();
      r.skip(4);
      return { kind: 'aggregate', packetCount, byteCount, flowCount };
    }
    case MultipartType.PORT_DESC: {
      if (r.remaining % PORT_DESC_LEN !== 0) throw new OpenFlowDecodeError('port desc reply: length not a multiple of 64');
      const ports = [];
      while (r.remaining > 0) ports.push(decodePortDesc(r));
      return { kind: 'port_desc', ports };
    }
    case MultipartType.GROUP_DESC: {
      const groups = [];
      while (r.remaining > 0) groups.push(decodeGroupDesc(r));
      return { kind: 'group_desc', groups };
    }
    case MultipartType.PORT_STATS:
      return { kind: 'port_stats', ports: decodePortStatsList(r) };
    case MultipartType.GROUP:
      return { kind: 'group', groups: decodeGroupStatsList(r) };
    case MultipartType.METER:
      return { kind: 'meter', meters: decodeMeterStatsList(r) };
    case MultipartType.METER_CONFIG:
      return { kind: 'meter_config', meters: decodeMeterConfigList(r) };
    case MultipartType.METER_FEATURES:
      if (r.remaining !== METER_FEATURES_LEN) throw new OpenFlowDecodeError(`meter features reply: length ${r.remaining}`);
      return { kind: 'meter_features', ...decodeMeterFeatures(r) };
    default:
      return { kind: 'raw', mpType, data: r.rest() };
  }
}

/** Joins the bodies of a reply that came in several parts (all of the same kind). */
/** The multipart type of a reply frame (its bytes), and whether more frames follow. */
export function multipartReplyOf(frame: Buffer): { mpType: number; more: boolean } {
  return { mpType: frame.readUInt16BE(8), more: (frame.readUInt16BE(10) & MULTIPART_MORE) !== 0 };
}

export function mergeMultipartReplies(parts: readonly MultipartReplyBody[]): MultipartReplyBody {
  const first = parts[0];
  if (!first) throw new RangeError('no multipart parts to merge');
  if (parts.length === 1) return first;
  switch (first.kind) {
    case 'flow':
      return { kind: 'flow', flows: parts.flatMap((p) => (p.kind === 'flow' ? p.flows : [])) };
    case 'port_desc':
      return { kind: 'port_desc', ports: parts.flatMap((p) => (p.kind === 'port_desc' ? p.ports : [])) };
    case 'group_desc':
      return { kind: 'group_desc', groups: parts.flatMap((p) => (p.kind === 'group_desc' ? p.groups : [])) };
    case 'port_stats':
      return { kind: 'port_stats', ports: parts.flatMap((p) => (p.kind === 'port_stats' ? p.ports : [])) };
    case 'group':
      return { kind: 'group', groups: parts.flatMap((p) => (p.kind === 'group' ? p.groups : [])) };
    case 'meter':
      return { kind: 'meter', meters: parts.flatMap((p) => (p.kind === 'meter' ? p.meters : [])) };
    case 'meter_config':
      return { kind: 'meter_config', meters: parts.flatMap((p) => (p.kind === 'meter_config' ? p.meters : [])) };
    case 'raw':
      return { kind: 'raw', mpType: first.mpType, data: Buffer.concat(parts.map((p) => (p.kind === 'raw' ? p.data : Buffer.alloc(0)))) };
    default:
      return parts[parts.length - 1]!;
  }
}
