// OXM: the TLV language of OpenFlow 1.3 matches (ofp_match) and of set_field actions.
// Known fields decode to typed values; anything else (other classes, experimenter OXMs, fields we
// do not name) is kept as a raw TLV so that a decoded match re-encodes to the same bytes.
import type { BufferReader } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import { OpenFlowDecodeError, OpenFlowEncodeError } from './errors.ts';

export const OxmClass = { NXM_0: 0x0000, NXM_1: 0x0001, OPENFLOW_BASIC: 0x8000, EXPERIMENTER: 0xffff } as const;

type Kind = 'u8' | 'u16' | 'u32' | 'u64' | 'u128' | 'mac' | 'ipv4';
interface KindValue {
  u8: number;
  u16: number;
  u32: number;
  u64: bigint;
  u128: bigint;
  mac: string;
  ipv4: string;
}
const SIZE: Record<Kind, number> = { u8: 1, u16: 2, u32: 4, u64: 8, u128: 16, mac: 6, ipv4: 4 };

const B = OxmClass.OPENFLOW_BASIC;
const NX = OxmClass.NXM_1;

/** Field name → (class, field number, value kind). Names follow OpenFlow's OXM_OF_* in lower case. */
export const OXM_FIELDS = {
  in_port: { oxmClass: B, oxmField: 0, kind: 'u32' },
  in_phy_port: { oxmClass: B, oxmField: 1, kind: 'u32' },
  metadata: { oxmClass: B, oxmField: 2, kind: 'u64' },
  eth_dst: { oxmClass: B, oxmField: 3, kind: 'mac' },
  eth_src: { oxmClass: B, oxmField: 4, kind: 'mac' },
  eth_type: { oxmClass: B, oxmField: 5, kind: 'u16' },
  vlan_vid: { oxmClass: B, oxmField: 6, kind: 'u16' },
  vlan_pcp: { oxmClass: B, oxmField: 7, kind: 'u8' },
  ip_dscp: { oxmClass: B, oxmField: 8, kind: 'u8' },
  ip_ecn: { oxmClass: B, oxmField: 9, kind: 'u8' },
  ip_proto: { oxmClass: B, oxmField: 10, kind: 'u8' },
  ipv4_src: { oxmClass: B, oxmField: 11, kind: 'ipv4' },
  ipv4_dst: { oxmClass: B, oxmField: 12, kind: 'ipv4' },
  tcp_src: { oxmClass: B, oxmField: 13, kind: 'u16' },
  tcp_dst: { oxmClass: B, oxmField: 14, kind: 'u16' },
  udp_src: { oxmClass: B, oxmField: 15, kind: 'u16' },
  udp_dst: { oxmClass: B, oxmField: 16, kind: 'u16' },
  icmpv4_type: { oxmClass: B, oxmField: 19, kind: 'u8' },
  icmpv4_code: { oxmClass: B, oxmField: 20, kind: 'u8' },
  arp_op: { oxmClass: B, oxmField: 21, kind: 'u16' },
  arp_spa: { oxmClass: B, oxmField: 22, kind: 'ipv4' },
  arp_tpa: { oxmClass: B, oxmField: 23, kind: 'ipv4' },
  arp_sha: { oxmClass: B, oxmField: 24, kind: 'mac' },
  arp_tha: { oxmClass: B, oxmField: 25, kind: 'mac' },
  tunnel_id: { oxmClass: B, oxmField: 38, kind: 'u64' },
  // Nicira extensions (NXM_NX_REGn, NXM_NX_TUN_IPV4_SRC/DST), usable as OXMs in OpenFlow 1.3.
  reg0: { oxmClass: NX, oxmField: 0, kind: 'u32' },
  reg1: { oxmClass: NX, oxmField: 1, kind: 'u32' },
  reg2: { oxmClass: NX, oxmField: 2, kind: 'u32' },
  reg3: { oxmClass: NX, oxmField: 3, kind: 'u32' },
  reg4: { oxmClass: NX, oxmField: 4, kind: 'u32' },
  reg5: { oxmClass: NX, oxmField: 5, kind: 'u32' },
  reg6: { oxmClass: NX, oxmField: 6, kind: 'u32' },
  reg7: { oxmClass: NX, oxmField: 7, kind: 'u32' },
  reg8: { oxmClass: NX, oxmField: 8, kind: 'u32' },
  reg9: { oxmClass: NX, oxmField: 9, kind: 'u32' },
  reg10: { oxmClass: NX, oxmField: 10, kind: 'u32' },
  reg11: { oxmClass: NX, oxmField: 11, kind: 'u32' },
  reg12: { oxmClass: NX, oxmField: 12, kind: 'u32' },
  reg13: { oxmClass: NX, oxmField: 13, kind: 'u32' },
  reg14: { oxmClass: NX, oxmField: 14, kind: 'u32' },
  reg15: { oxmClass: NX, oxmField: 15, kind: 'u32' },
  /** NXM_NX_IP_TTL: IPv4's TTL (OpenFlow 1.3 has no OXM for it); needs eth_type 0x0800. */
  nw_ttl: { oxmClass: NX, oxmField: 29, kind: 'u8' },
  tun_src: { oxmClass: NX, oxmField: 31, kind: 'ipv4' },
  tun_dst: { oxmClass: NX, oxmField: 32, kind: 'ipv4' },
  // Conntrack (NXM_NX_CT_*): a packet's connection state after ct(), its zone, mark and label,
  // and the original direction's addresses of its connection.
  ct_state: { oxmClass: NX, oxmField: 105, kind: 'u32' },
  ct_zone: { oxmClass: NX, oxmField: 106, kind: 'u16' },
  ct_mark: { oxmClass: NX, oxmField: 107, kind: 'u32' },
  ct_label: { oxmClass: NX, oxmField: 108, kind: 'u128' },
  ct_nw_proto: { oxmClass: NX, oxmField: 119, kind: 'u8' },
  ct_nw_src: { oxmClass: NX, oxmField: 120, kind: 'ipv4' },
  ct_nw_dst: { oxmClass: NX, oxmField: 121, kind: 'ipv4' },
  ct_tp_src: { oxmClass: NX, oxmField: 124, kind: 'u16' },
  ct_tp_dst: { oxmClass: NX, oxmField: 125, kind: 'u16' },
} as const satisfies Record<string, { oxmClass: number; oxmField: number; kind: Kind }>;

export type OxmFieldName = keyof typeof OXM_FIELDS;
export type OxmValue<K extends OxmFieldName> = KindValue[(typeof OXM_FIELDS)[K]['kind']];

/** A known field with its value and optional mask (1-bits are the bits that must match). */
export type KnownOxm = { [K in OxmFieldName]: { field: K; value: OxmValue<K>; mask?: OxmValue<K> } }[OxmFieldName];

/** A TLV we do not interpret; `payload` is everything after the header (and experimenter id). */
export interface RawOxm {
  field: 'raw';
  oxmClass: number;
  oxmField: number;
  hasMask: boolean;
  experimenter?: number;
  payload: Buffer;
}

export type OxmField = KnownOxm | RawOxm;
/** An OpenFlow 1.3 match: an ordered list of OXM TLVs (empty matches everything). */
export type Match = OxmField[];

const BY_NUMBER = new Map<number, OxmFieldName>(
  (Object.keys(OXM_FIELDS) as OxmFieldName[]).map((name) => [OXM_FIELDS[name].oxmClass * 128 + OXM_FIELDS[name].oxmField, name]),
);

/** The name of a field we know by its class and number, if we know it. */
export function knownOxmName(oxmClass: number, oxmField: number): OxmFieldName | undefined {
  return oxmClass === OxmClass.EXPERIMENTER ? undefined : BY_NUMBER.get(oxmClass * 128 + oxmField);
}

/** A known field's width in bits. */
export function oxmFieldBits(name: OxmFieldName): number {
  return SIZE[OXM_FIELDS[name].kind] * 8;
}

export function encodeOxm(w: BufferWriter, f: OxmField): void {
  if (f.field === 'raw') {
    const extra = f.oxmClass === OxmClass.EXPERIMENTER ? 4 : 0;
    const len = f.payload.length + extra;
    if (len > 0xff) throw new OpenFlowEncodeError(`raw OXM payload too long (${len})`);
    w.u16(f.oxmClass)
      .u8(((f.oxmField & 0x7f) << 1) | (f.hasMask ? 1 : 0))
      .u8(len);
    if (extra) w.u32(f.experimenter ?? 0);
    w.bytes(f.payload);
    return;
  }
  const spec = OXM_FIELDS[f.field];
  if (!spec) throw new OpenFlowEncodeError(`unknown OXM field ${String(f.field)}`);
  const size = SIZE[spec.kind];
  const hasMask = f.mask !== undefined;
  w.u16(spec.oxmClass)
    .u8((spec.oxmField << 1) | (hasMask ? 1 : 0))
    .u8(hasMask ? size * 2 : size);
  writeValue(w, spec.kind, f.value, f.field);
  if (hasMask) writeValue(w, spec.kind, f.mask!, f.field);
}

export function decodeOxm(r: BufferReader): OxmField {
  const oxmClass = r.u16('oxm class');
  const fieldAndMask = r.u8('oxm field');
  const len = r.u8('oxm length');
  const oxmField = fieldAndMask >> 1;
  const hasMask = (fieldAndMask & 1) === 1;
  const body = r.sub(len, `oxm ${oxmClass.toString(16)}:${oxmField} payload`);
  const name = knownOxmName(oxmClass, oxmField);
  if (name === undefined) {
    if (oxmClass === OxmClass.EXPERIMENTER) {
      const experimenter = body.u32('oxm experimenter id');
      return { field: 'raw', oxmClass, oxmField, hasMask, experimenter, payload: body.rest() };
    }
    return { field: 'raw', oxmClass, oxmField, hasMask, payload: body.rest() };
  }
  const kind = OXM_FIELDS[name].kind;
  const size = SIZE[kind];
  if (len !== (hasMask ? 2 * size : size)) {
    throw new OpenFlowDecodeError(`oxm ${name}: length ${len}, expected ${hasMask ? 2 * size : size}`);
  }
  const value = readValue(body, kind);
  if (!hasMask) return { field: name, value } as KnownOxm;
  return { field: name, value, mask: readValue(body, kind) } as KnownOxm;
}

/** ofp_match with OFPMT_OXM, padded to a multiple of 8 bytes. */
export function encodeMatch(w: BufferWriter, match: Match): void {
  const start = w.offset;
  w.u16(1).u16(0);
  for (const f of match) encodeOxm(w, f);
  w.patchU16(start + 2, w.offset - start);
  w.pad8(start);
}

export function decodeMatch(r: BufferReader): Match {
  const type = r.u16('match type');
  const length = r.u16('match length');
  if (type !== 1) throw new OpenFlowDecodeError(`match type ${type} is not OFPMT_OXM`);
  if (length < 4) throw new OpenFlowDecodeError(`match length ${length} < 4`);
  const body = r.sub(length - 4, 'match fields');
  r.skip((8 - (length % 8)) % 8, 'match padding');
  const fields: Match = [];
  while (body.remaining > 0) fields.push(decodeOxm(body));
  return fields;
}

/** Bytes on the wire of a match, padding included. */
export function matchLength(match: Match): number {
  let len = 4;
  for (const f of match) {
    if (f.field === 'raw') len += 4 + f.payload.length + (f.oxmClass === OxmClass.EXPERIMENTER ? 4 : 0);
    else len += 4 + SIZE[OXM_FIELDS[f.field].kind] * (f.mask === undefined ? 1 : 2);
  }
  return (len + 7) & ~7;
}

function writeValue(w: BufferWriter, kind: Kind, v: unknown, name: string): void {
  switch (kind) {
    case 'u8':
      return void w.u8(v as number);
    case 'u16':
      return void w.u16(v as number);
    case 'u32':
      return void w.u32(v as number);
    case 'u64':
      return void w.u64(typeof v === 'number' ? BigInt(v) : (v as bigint));
    case 'u128': {
      const big = typeof v === 'number' ? BigInt(v) : (v as bigint);
      if (big < 0n || big >> 128n !== 0n) throw new OpenFlowEncodeError(`${name} out of range: ${big}`);
      return void w.u64(big >> 64n).u64(big & 0xffffffffffffffffn);
    }
    case 'mac':
      return void w.bytes(parseMac(v as string, name));
    case 'ipv4':
      return void w.bytes(parseIpv4(v as string, name));
  }
}

function readValue(r: BufferReader, kind: Kind): number | bigint | string {
  switch (kind) {
    case 'u8':
      return r.u8();
    case 'u16':
      return r.u16();
    case 'u32':
      return r.u32();
    case 'u64':
      return r.u64();
    case 'u128':
      return (r.u64() << 64n) | r.u64();
    case 'mac':
      return formatMac(r.bytes(6));
    case 'ipv4':
      return formatIpv4(r.bytes(4));
  }
}

export function parseMac(s: string, what = 'mac'): Buffer {
  const m = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(String(s));
  if (!m) throw new OpenFlowEncodeError(`${what}: not a MAC address: ${String(s)}`);
  return Buffer.from(m.slice(1).map((h) => parseInt(h, 16)));
}

export function formatMac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

export function parseIpv4(s: string, what = 'ipv4'): Buffer {
  const parts = String(s).split('.');
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) {
    throw new OpenFlowEncodeError(`${what}: not an IPv4 address: ${String(s)}`);
  }
  return Buffer.from(octets);
}

export function formatIpv4(b: Uint8Array): string {
  return Array.from(b).join('.');
}
