// Meters (OpenFlow 1.3 section 7.3.4.4 and the meter multiparts): rate limiters a flow enters
// through the meter instruction. The bands shared by METER_MOD and the meter config reply, a
// meter's description (what a switch holds, to compare with what it should), its counters and
// the switch's meter features.
import type { BufferReader } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import { MeterBandType, MeterModCommand, meterModCommandName } from './constants.ts';
import { OpenFlowDecodeError, OpenFlowEncodeError } from './errors.ts';
import type { MeterMod } from './messages.ts';

/** A band: what happens to the traffic above `rate` (kbit/s or packets/s, as the meter's flags
 *  say); `burstSize` (kbit or packets) counts only with MeterFlags.BURST. */
export type MeterBand =
  | { type: 'drop'; rate: number; burstSize: number }
  | { type: 'dscp_remark'; rate: number; burstSize: number; precLevel: number }
  /** `data` follows the experimenter id. */
  | { type: 'experimenter'; rate: number; burstSize: number; experimenter: number; data: Buffer };

/** A meter as a switch describes it (meter config) and as METER_MOD sets it. */
export interface MeterDesc {
  meterId: number;
  /** MeterFlags: KBPS or PKTPS, BURST, STATS. */
  flags: number;
  bands: MeterBand[];
}

/** ofp_meter_stats: a meter's counters and each band's, in band order. */
export interface MeterStats {
  meterId: number;
  flowCount: number;
  packetInCount: bigint;
  byteInCount: bigint;
  durationSec: number;
  durationNsec: number;
  bands: { packetCount: bigint; byteCount: bigint }[];
}

/** ofp_meter_features: what the switch's meters can do. */
export interface MeterFeatures {
  maxMeter: number;
  /** Bitmap of 1 << MeterBandType. */
  bandTypes: number;
  /** MeterFlags the switch supports. */
  capabilities: number;
  maxBands: number;
  maxColor: number;
}

const BAND_LEN = 16;
const CONFIG_FIXED_LEN = 8;
const STATS_FIXED_LEN = 40;
const BAND_STATS_LEN = 16;
export const METER_FEATURES_LEN = 16;

const bandTypeKey = { drop: 'DROP', dscp_remark: 'DSCP_REMARK', experimenter: 'EXPERIMENTER' } as const;

export function encodeBands(w: BufferWriter, bands: readonly MeterBand[]): void {
  for (const b of bands) {
    if (b.type === 'experimenter' && b.data.length % 8 !== 0) throw new OpenFlowEncodeError('experimenter band data must pad to 8');
    const start = w.offset;
    w.u16(MeterBandType[bandTypeKey[b.type]]).u16(0).u32(b.rate).u32(b.burstSize);
    if (b.type === 'drop') w.zeros(4);
    else if (b.type === 'dscp_remark') w.u8(b.precLevel).zeros(3);
    else w.u32(b.experimenter).bytes(b.data);
    w.patchU16(start + 2, w.offset - start);
  }
}

export function decodeBands(r: BufferReader): MeterBand[] {
  const bands: MeterBand[] = [];
  while (r.remaining > 0) {
    const type = r.u16('band type');
    const len = r.u16('band length');
    if (len < BAND_LEN || len % 8 !== 0) throw new OpenFlowDecodeError(`meter band: bad length ${len}`);
    const b = r.sub(len - 4, 'meter band');
    const rate = b.u32();
    const burstSize = b.u32();
    if (type === MeterBandType.DROP || type === MeterBandType.DSCP_REMARK) {
      if (len !== BAND_LEN) throw new OpenFlowDecodeError(`meter band ${type}: length ${len}, expected ${BAND_LEN}`);
      if (type === MeterBandType.DROP) bands.push({ type: 'drop', rate, burstSize });
      else bands.push({ type: 'dscp_remark', rate, burstSize, precLevel: b.u8() });
    } else if (type === MeterBandType.EXPERIMENTER) {
      const experimenter = b.u32();
      bands.push({ type: 'experimenter', rate, burstSize, experimenter, data: b.rest() });
    } else {
      throw new OpenFlowDecodeError(`unknown meter band type ${type}`);
    }
  }
  return bands;
}

/** METER_MOD's body: command, flags, meter id, bands. */
export function encodeMeterMod(w: BufferWriter, m: MeterMod): void {
  const command = MeterModCommand[m.command];
  if (command === undefined) throw new OpenFlowEncodeError(`unknown meter_mod command: ${String(m.command)}`);
  w.u16(command).u16(m.flags).u32(m.meterId);
  encodeBands(w, m.bands);
}

export function decodeMeterMod(xid: number, r: BufferReader): MeterMod {
  const commandNo = r.u16();
  const command = meterModCommandName.get(commandNo);
  if (command === undefined) throw new OpenFlowDecodeError(`unknown meter_mod command ${commandNo}`);
  const flags = r.u16();
  const meterId = r.u32();
  return { type: 'meter_mod', xid, command, flags, meterId, bands: decodeBands(r) };
}

export function encodeMeterConfig(w: BufferWriter, m: MeterDesc): void {
  const start = w.offset;
  w.u16(0).u16(m.flags).u32(m.meterId);
  encodeBands(w, m.bands);
  w.patchU16(start, w.offset - start);
}

export function decodeMeterConfigList(r: BufferReader): MeterDesc[] {
  const meters: MeterDesc[] = [];
  while (r.remaining > 0) {
    const len = r.peekU16(0, 'meter config length');
    if (len < CONFIG_FIXED_LEN || len % 8 !== 0) throw new OpenFlowDecodeError(`meter config: bad length ${len}`);
    const b = r.sub(len, 'meter config');
    b.skip(2);
    const flags = b.u16();
    const meterId = b.u32();
    meters.push({ meterId, flags, bands: decodeBands(b) });
  }
  return meters;
}

export function encodeMeterStats(w: BufferWriter, m: MeterStats): void {
  w.u32(m.meterId)
    .u16(STATS_FIXED_LEN + BAND_STATS_LEN * m.bands.length)
    .zeros(6);
  w.u32(m.flowCount).u64(m.packetInCount).u64(m.byteInCount).u32(m.durationSec).u32(m.durationNsec);
  for (const b of m.bands) w.u64(b.packetCount).u64(b.byteCount);
}

export function decodeMeterStatsList(r: BufferReader): MeterStats[] {
  const meters: MeterStats[] = [];
  while (r.remaining > 0) {
    const len = r.peekU16(4, 'meter stats length');
    if (len < STATS_FIXED_LEN || (len - STATS_FIXED_LEN) % BAND_STATS_LEN !== 0)
      throw new OpenFlowDecodeError(`meter stats: bad length ${len}`);
    const b = r.sub(len, 'meter stats entry');
    const meterId = b.u32();
    b.skip(8);
    const flowCount = b.u32();
    const packetInCount = b.u64();
    const byteInCount = b.u64();
    const durationSec = b.u32();
    const durationNsec = b.u32();
    const bands = [];
    while (b.remaining > 0) bands.push({ packetCount: b.u64(), byteCount: b.u64() });
    meters.push({ meterId, flowCount, packetInCount, byteInCount, durationSec, durationNsec, bands });
  }
  return meters;
}

export function encodeMeterFeatures(w: BufferWriter, f: MeterFeatures): void {
  w.u32(f.maxMeter).u32(f.bandTypes).u32(f.capabilities).u8(f.maxBands).u8(f.maxColor).zeros(2);
}

export function decodeMeterFeatures(r: BufferReader): MeterFeatures {
  const maxMeter = r.u32();
  const bandTypes = r.u32();
  const capabilities = r.u32();
  const maxBands = r.u8();
  const maxColor = r.u8();
  r.skip(2);
  return { maxMeter, bandTypes, capabilities, maxBands, maxColor };
}
