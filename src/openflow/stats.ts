// Port and group statistics (OFPMP_PORT_STATS, OFPMP_GROUP): what the operations tools read to
// count a logical port's traffic and each bucket's copies.
import type { BufferReader } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import { OpenFlowDecodeError } from './errors.ts';

/** ofp_port_stats: counters of one port (all 64-bit; ~0 where the switch does not count). */
export interface PortStats {
  portNo: number;
  rxPackets: bigint;
  txPackets: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  rxDropped: bigint;
  txDropped: bigint;
  rxErrors: bigint;
  txErrors: bigint;
  durationSec: number;
  durationNsec: number;
}

/** ofp_group_stats: a group's counters and each bucket's, in bucket order. */
export interface GroupStats {
  groupId: number;
  refCount: number;
  packetCount: bigint;
  byteCount: bigint;
  durationSec: number;
  durationNsec: number;
  buckets: { packetCount: bigint; byteCount: bigint }[];
}

const PORT_STATS_LEN = 112;
const GROUP_STATS_FIXED_LEN = 40;
const BUCKET_COUNTER_LEN = 16;

/** The request of either: one port or group number, or the ANY value for all. */
export function encodeStatsRequest(w: BufferWriter, id: number): void {
  w.u32(id).zeros(4);
}

export function decodeStatsRequest(r: BufferReader, what: string): number {
  const id = r.u32();
  r.skip(4);
  if (r.remaining !== 0) throw new OpenFlowDecodeError(`${what} request: trailing bytes`);
  return id;
}

export function encodePortStats(w: BufferWriter, p: PortStats): void {
  w.u32(p.portNo).zeros(4);
  w.u64(p.rxPackets).u64(p.txPackets).u64(p.rxBytes).u64(p.txBytes).u64(p.rxDropped).u64(p.txDropped);
  // rx_errors, tx_errors, then rx_frame_err, rx_over_err, rx_crc_err, collisions (not kept).
  w.u64(p.rxErrors).u64(p.txErrors).u64(0n).u64(0n).u64(0n).u64(0n);
  w.u32(p.durationSec).u32(p.durationNsec);
}

export function decodePortStatsList(r: BufferReader): PortStats[] {
  if (r.remaining % PORT_STATS_LEN !== 0) throw new OpenFlowDecodeError(`port stats reply: length not a multiple of ${PORT_STATS_LEN}`);
  const ports: PortStats[] = [];
  while (r.remaining > 0) {
    const portNo = r.u32();
    r.skip(4);
    const [rxPackets, txPackets, rxBytes, txBytes, rxDropped, txDropped, rxErrors, txErrors] = Array.from({ length: 8 }, () => r.u64());
    r.skip(32);
    ports.push({
      portNo,
      rxPackets: rxPackets!,
      txPackets: txPackets!,
      rxBytes: rxBytes!,
      txBytes: txBytes!,
      rxDropped: rxDropped!,
      txDropped: txDropped!,
      rxErrors: rxErrors!,
      txErrors: txErrors!,
      durationSec: r.u32(),
      durationNsec: r.u32(),
    });
  }
  return ports;
}

export function encodeGroupStats(w: BufferWriter, g: GroupStats): void {
  w.u16(GROUP_STATS_FIXED_LEN + BUCKET_COUNTER_LEN * g.buckets.length).zeros(2);
  w.u32(g.groupId).u32(g.refCount).zeros(4).u64(g.packetCount).u64(g.byteCount).u32(g.durationSec).u32(g.durationNsec);
  for (const b of g.buckets) w.u64(b.packetCount).u64(b.byteCount);
}

export function decodeGroupStatsList(r: BufferReader): GroupStats[] {
  const groups: GroupStats[] = [];
  while (r.remaining > 0) {
    const len = r.peekU16(0, 'group stats length');
    if (len < GROUP_STATS_FIXED_LEN || (len - GROUP_STATS_FIXED_LEN) % BUCKET_COUNTER_LEN !== 0) {
      throw new OpenFlowDecodeError(`group stats: bad length ${len}`);
    }
    const b = r.sub(len, 'group stats entry');
    b.skip(4);
    const groupId = b.u32();
    const refCount = b.u32();
    b.skip(4);
    const packetCount = b.u64();
    const byteCount = b.u64();
    const durationSec = b.u32();
    const durationNsec = b.u32();
    const buckets = [];
    while (b.remaining > 0) buckets.push({ packetCount: b.u64(), byteCount: b.u64() });
    groups.push({ groupId, refCount, packetCount, byteCount, durationSec, durationNsec, buckets });
  }
  return groups;
}
