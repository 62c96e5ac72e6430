// Answers to MULTIPART requests, split into parts of at most 64 KiB with the MORE flag as Open
// vSwitch splits them (a node's 1,000 flows are ~200 KiB of flow stats). Flow stats are written
// from the stored FLOW_MOD bytes, without decoding them.
import { BufferWriter } from '../../openflow/buffer-writer.ts';
import { Group, Meter, MsgType, MULTIPART_MORE, MultipartType, OFP_VERSION, Port } from '../../openflow/constants.ts';
import type { MultipartRequestBody, PortDesc, SwitchDesc } from '../../openflow/messages.ts';
import { encodeMeterConfig, encodeMeterStats } from '../../openflow/meter.ts';
import { multipartType } from '../../openflow/multipart.ts';
import { encodePortDesc } from '../../openflow/port.ts';
import { serialize } from '../../openflow/serializer.ts';
import { encodeGroupStats, encodePortStats } from '../../openflow/stats.ts';
import { flowTable, writeFlowStats } from './flow-entry.ts';
import { N_TABLES } from './flow-checks.ts';
import type { FlowTable } from './flow-table.ts';
import { bucketCount, writeGroupDesc, type GroupTable } from './group-table.ts';
import { METER_FEATURES, type MeterTable } from './meter-table.ts';
import { Refused, type Refusal } from './refusal.ts';

const HEADER_LEN = 16; // ofp_header + type, flags, pad
const MAX_LEN = 0xffff;

/** Writes a reply's entries, starting a new part (the previous one flagged MORE) whenever the
 *  next entry would not fit. */
class PartWriter {
  private readonly w = new BufferWriter(4096);
  private start = 0;

  constructor(
    private readonly xid: number,
    private readonly mpType: number,
  ) {
    this.open();
  }

  entry(write: (w: BufferWriter) => void): void {
    const mark = this.w.offset;
    write(this.w);
    if (this.w.offset - this.start <= MAX_LEN || mark === this.start + HEADER_LEN) return;
    const entry = Buffer.from(this.w.view().subarray(mark));
    this.w.truncate(mark);
    this.close(true);
    this.open();
    this.w.bytes(entry);
  }

  finish(): Buffer {
    this.close(false);
    return this.w.toBuffer();
  }

  private open(): void {
    this.start = this.w.offset;
    this.w.u8(OFP_VERSION).u8(MsgType.MULTIPART_REPLY).u16(0).u32(this.xid);
    this.w.u16(this.mpType).u16(0).zeros(4);
  }

  private close(more: boolean): void {
    this.w.patchU16(this.start + 2, this.w.offset - this.start);
    this.w.patchU16(this.start + 10, more ? MULTIPART_MORE : 0);
  }
}

/** What a multipart answer reads of the switch. */
export interface SwitchView {
  flows: FlowTable;
  groups: GroupTable;
  meters: MeterTable;
  /** Every port, LOCAL included. */
  ports(): PortDesc[];
  desc: SwitchDesc;
}

const zeroCounters = { packetCount: 0n, byteCount: 0n };

/** The reply's frames (one or more parts), or why OVS would refuse the request. */
export function answerMultipart(sw: SwitchView, xid: number, body: MultipartRequestBody, now: number): Buffer | Refusal {
  const parts = new PartWriter(xid, multipartType(body));
  switch (body.kind) {
    case 'desc':
      return serialize({ type: 'multipart_reply', xid, flags: 0, body: { kind: 'desc', ...sw.desc } });
    case 'flow':
      for (const [, f] of sw.flows.select(body)) parts.entry((w) => writeFlowStats(w, f, now));
      return parts.finish();
    case 'aggregate': {
      const flowCount = sw.flows.select(body).length;
      return serialize({ type: 'multipart_reply', xid, flags: 0, body: { kind: 'aggregate', ...zeroCounters, flowCount } });
    }
    case 'port_desc':
      for (const p of sw.ports()) parts.entry((w) => encodePortDesc(w, p));
      return parts.finish();
    case 'port_stats':
      for (const p of sw.ports().filter((p) => body.portNo === Port.ANY || p.portNo === body.portNo)) {
        const zero = { rxPackets: 0n, txPackets: 0n, rxBytes: 0n, txBytes: 0n, rxDropped: 0n, txDropped: 0n, rxErrors: 0n, txErrors: 0n };
        parts.entry((w) => encodePortStats(w, { portNo: p.portNo, ...zero, durationSec: 0, durationNsec: 0 }));
      }
      return parts.finish();
    case 'group_desc':
      for (const g of sw.groups.frames()) parts.entry((w) => writeGroupDesc(w, g));
      return parts.finish();
    case 'group':
      for (const g of sw.groups.frames()) {
        const groupId = g.readUInt32BE(12);
        if (body.groupId !== Group.ALL && groupId !== body.groupId) continue;
        const buckets = Array.from({ length: bucketCount(g) }, () => zeroCounters);
        const stats = { groupId, refCount: 0, ...zeroCounters, durationSec: 0, durationNsec: 0, buckets };
        parts.entry((w) => encodeGroupStats(w, stats));
      }
      return parts.finish();
    case 'meter_config':
      for (const m of sw.meters.list().filter((m) => body.meterId === Meter.ALL || m.meterId === body.meterId)) {
        parts.entry((w) => encodeMeterConfig(w, m));
      }
      return parts.finish();
    case 'meter':
      for (const m of sw.meters.list().filter((m) => body.meterId === Meter.ALL || m.meterId === body.meterId)) {
        const stats = { meterId: m.meterId, flowCount: 0, packetInCount: 0n, byteInCount: 0n, durationSec: 0, durationNsec: 0 };
        parts.entry((w) => encodeMeterStats(w, { ...stats, bands: m.bands.map(() => zeroCounters) }));
      }
      return parts.finish();
    case 'meter_features':
      return serialize({ type: 'multipart_reply', xid, flags: 0, body: { kind: 'meter_features', ...METER_FEATURES } });
    case 'raw':
      return body.mpType === MultipartType.TABLE ? tableStats(sw.flows, parts) : Refused.BAD_MULTIPART;
  }
}

/** ofp_table_stats of every table: its flow count, lookups and matches zero (no traffic). */
function tableStats(flows: FlowTable, parts: PartWriter): Buffer {
  const active = new Array<number>(N_TABLES).fill(0);
  for (const [, f] of flows.entries()) active[flowTable(f)]! += 1;
  for (let t = 0; t < N_TABLES; t++) parts.entry((w) => w.u8(t).zeros(3).u32(active[t]!).zeros(16));
  return parts.finish();
}
