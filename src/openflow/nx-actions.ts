// Nicira's experimenter actions (vendor 0x2320) that OVS takes in OpenFlow 1.3: resubmit, the
// partial writes of a field (NXAST_REG_LOAD, NXAST_REG_LOAD2), a copy of bits from one field to
// another (NXAST_REG_MOVE), and conntrack: ct(), ct_clear and the nat() nested in ct.
// Each has its Action form, its bytes as ovs-ofctl sends them, and a decoder that gives back
// the same form from what the switch reports (flow stats), so a decoded action re-encodes to
// the same bytes. A form we cannot represent (a zone in a field we do not name, an IPv6 NAT
// range) is left to the caller, which keeps it as a raw experimenter action.
import type { BufferReader } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import {
  ActionType,
  CT_RECIRC_NONE,
  CtFlags,
  NatFlags,
  NatRange,
  NX_VENDOR_ID,
  NXAST_CT,
  NXAST_CT_CLEAR,
  NXAST_NAT,
  NXAST_REG_LOAD,
  NXAST_REG_LOAD2,
  NXAST_REG_MOVE,
  NXAST_RESUBMIT_TABLE,
} from './constants.ts';
import type { Action } from './actions.ts';
import { OpenFlowDecodeError, OpenFlowEncodeError } from './errors.ts';
import {
  decodeOxm,
  encodeOxm,
  formatIpv4,
  knownOxmName,
  OXM_FIELDS,
  OxmClass,
  oxmFieldBits,
  parseIpv4,
  type OxmField,
  type OxmFieldName,
} from './match.ts';

/** Bits [ofs, ofs+nbits) of a Nicira field (NXM class 1: registers, ct_mark, ct_label, ...). */
export interface NxSubfield {
  field: OxmFieldName;
  ofs: number;
  nbits: number;
}

/** Where ct() finds the zone: a number, or a register's bits. */
export type CtZone = number | NxSubfield;

export type NxAction =
  /** NXAST_RESUBMIT_TABLE: re-run the pipeline from `table` (0xff: this table) as if from inPort. */
  | { type: 'nx_resubmit_table'; inPort: number; table: number }
  /** NXAST_REG_LOAD: `value` into bits of a field; how ovs-ofctl writes set_field:1/1->ct_mark
   *  (load:0x1->NXM_NX_CT_MARK[0]) in OpenFlow 1.3. */
  | { type: 'nx_reg_load'; dst: NxSubfield; value: bigint }
  /** NXAST_REG_MOVE: bits of `src` copied into bits of `dst` (as many as `src.nbits`); how OVS
   *  swaps addresses to answer a packet (move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]). */
  | { type: 'nx_reg_move'; src: NxSubfield; dst: NxSubfield }
  /** NXAST_REG_LOAD2: set_field of the bits `field.mask` selects (OpenFlow 1.3's own set_field
   *  cannot carry a mask); OVS prints it set_field:value/mask->field. */
  | { type: 'nx_reg_load2'; field: OxmField }
  /** NXAST_CT: send the packet through conntrack in `zone`; flags CtFlags (commit, force); then,
   *  unless table is CT_RECIRC_NONE, a copy continues in `table` with ct_state & co. set.
   *  `actions` run on the committed connection: nx_nat, set_field of ct_mark / ct_label. */
  | { type: 'nx_ct'; flags: number; zone: CtZone; table: number; alg: number; actions: Action[] }
  /** NXAST_CT_CLEAR: forget the packet's conntrack state (ct_state back to 0). */
  | { type: 'nx_ct_clear' }
  /** NXAST_NAT, inside ct(): flags NatFlags; with neither SRC nor DST it only applies the NAT an
   *  existing connection has. Ranges are inclusive; a max is given only when it differs. */
  | { type: 'nx_nat'; flags: number; ipv4Min?: string; ipv4Max?: string; protoMin?: number; protoMax?: number };

const NX_TYPES: ReadonlySet<Action['type']> = new Set<NxAction['type']>([
  'nx_resubmit_table',
  'nx_reg_load',
  'nx_reg_move',
  'nx_reg_load2',
  'nx_ct',
  'nx_ct_clear',
  'nx_nat',
]);

export function isNxAction(a: Action): a is NxAction {
  return NX_TYPES.has(a.type);
}

const CT_FIXED_LEN = 24;
const NAT_FIXED_LEN = 16;

/** ct()'s options. OVS takes ct() only in a flow that matches eth_type IPv4 or IPv6. */
export interface CtOptions {
  commit?: boolean;
  force?: boolean;
  /** Default 0, conntrack's default zone. */
  zone?: CtZone;
  /** Recirculate to this table once conntrack has looked at the packet. */
  table?: number;
  /** Application layer gateway: a well-known port (21: ftp, 69: tftp); 0 none. */
  alg?: number;
  /** nat() first among the nested actions: `true` for a bare nat. */
  nat?: NatOptions | true;
  /** Actions on the committed connection: set_field of ct_mark or ct_label (masked or not). */
  exec?: Action[];
}

export interface NatOptions {
  /** Translate the source (SNAT) or the destination (DNAT) of new connections. */
  kind?: 'src' | 'dst';
  /** One IPv4 address, or an inclusive range. */
  addresses?: string | [string, string];
  /** One port, or an inclusive range. */
  ports?: number | [number, number];
  persistent?: boolean;
  hash?: boolean;
  random?: boolean;
}

export function ctAction(o: CtOptions = {}): NxAction {
  const flags = (o.commit ? CtFlags.COMMIT : 0) | (o.force ? CtFlags.FORCE : 0);
  const nat = o.nat === undefined ? [] : [natAction(o.nat === true ? {} : o.nat)];
  return {
    type: 'nx_ct',
    flags,
    zone: o.zone ?? 0,
    table: o.table ?? CT_RECIRC_NONE,
    alg: o.alg ?? 0,
    actions: [...nat, ...(o.exec ?? [])],
  };
}

export function natAction(o: NatOptions): NxAction {
  const flags =
    (o.kind === 'src' ? NatFlags.SRC : o.kind === 'dst' ? NatFlags.DST : 0) |
    (o.persistent ? NatFlags.PERSISTENT : 0) |
    (o.hash ? NatFlags.PROTO_HASH : 0) |
    (o.random ? NatFlags.PROTO_RANDOM : 0);
  const [ipMin, ipMax] = typeof o.addresses === 'string' ? [o.addresses] : (o.addresses ?? []);
  const [portMin, portMax] = typeof o.ports === 'number' ? [o.ports] : (o.ports ?? []);
  return {
    type: 'nx_nat',
    flags,
    ...(ipMin === undefined ? {} : { ipv4Min: ipMin }),
    ...(ipMax === undefined || ipMax === ipMin ? {} : { ipv4Max: ipMax }),
    ...(portMin === undefined ? {} : { protoMin: portMin }),
    ...(portMax === undefined || portMax === portMin ? {} : { protoMax: portMax }),
  };
}

function header(w: BufferWriter, subtype: number): void {
  w.u16(ActionType.EXPERIMENTER).u16(0).u32(NX_VENDOR_ID).u16(subtype);
}

/** Writes one Nicira action; `encodeNested` writes ct()'s nested actions. */
export function encodeNxAction(w: BufferWriter, a: NxAction, encodeNested: (w: BufferWriter, list: readonly Action[]) => void): void {
  const start = w.offset;
  switch (a.type) {
    case 'nx_resubmit_table':
      header(w, NXAST_RESUBMIT_TABLE);
      w.u16(a.inPort).u8(a.table).zeros(3);
      break;
    case 'nx_reg_load':
      header(w, NXAST_REG_LOAD);
      w.u16(ofsNbits(a.dst)).u32(nxmHeader(a.dst.field)).u64(a.value);
      break;
    case 'nx_reg_move':
      if (a.src.nbits !== a.dst.nbits) throw new OpenFlowEncodeError(`move: ${a.src.nbits} bits into ${a.dst.nbits}`);
      header(w, NXAST_REG_MOVE);
      w.u16(a.src.nbits).u16(checkedOfs(a.src)).u16(checkedOfs(a.dst)).u32(moveHeader(a.src.field)).u32(moveHeader(a.dst.field));
      break;
    case 'nx_reg_load2':
      header(w, NXAST_REG_LOAD2);
      encodeOxm(w, a.field);
      break;
    case 'nx_ct':
      header(w, NXAST_CT);
      w.u16(a.flags);
      if (typeof a.zone === 'number') w.u32(0).u16(a.zone);
      else w.u32(nxmHeader(a.zone.field)).u16(ofsNbits(a.zone));
      w.u8(a.table).zeros(3).u16(a.alg);
      encodeNested(w, a.actions);
      break;
    case 'nx_ct_clear':
      header(w, NXAST_CT_CLEAR);
      w.zeros(6);
      break;
    case 'nx_nat':
      encodeNat(w, a);
      break;
  }
  w.pad8(start);
  w.patchU16(start + 2, w.offset - start);
}

function encodeNat(w: BufferWriter, a: Extract<NxAction, { type: 'nx_nat' }>): void {
  header(w, NXAST_NAT);
  const present =
    (a.ipv4Min !== undefined ? NatRange.IPV4_MIN : 0) |
    (a.ipv4Max !== undefined ? NatRange.IPV4_MAX : 0) |
    (a.protoMin !== undefined ? NatRange.PROTO_MIN : 0) |
    (a.protoMax !== undefined ? NatRange.PROTO_MAX : 0);
  w.zeros(2).u16(a.flags).u16(present);
  if (a.ipv4Min !== undefined) w.bytes(parseIpv4(a.ipv4Min, 'nat ipv4 min'));
  if (a.ipv4Max !== undefined) w.bytes(parseIpv4(a.ipv4Max, 'nat ipv4 max'));
  if (a.protoMin !== undefined) w.u16(a.protoMin);
  if (a.protoMax !== undefined) w.u16(a.protoMax);
}

/**
 * One Nicira action from its body after the subtype (`len` is the whole action's length), or
 * undefined for a subtype or form we keep raw. `decodeNested` reads ct()'s nested actions.
 */
export function decodeNxAction(
  subtype: number,
  len: number,
  b: BufferReader,
  decodeNested: (r: BufferReader) => Action[],
): NxAction | undefined {
  switch (subtype) {
    case NXAST_RESUBMIT_TABLE: {
      if (len !== 16) return undefined;
      const inPort = b.u16();
      return { type: 'nx_resubmit_table', inPort, table: b.u8() };
    }
    case NXAST_REG_LOAD: {
      if (len !== 24) return undefined;
      const bits = b.u16();
      const field = fieldOfHeader(b.u32());
      const value = b.u64();
      return field === undefined ? undefined : { type: 'nx_reg_load', dst: subfield(field, bits), value };
    }
    case NXAST_REG_MOVE: {
      if (len !== 24) return undefined;
      const nbits = b.u16();
      const srcOfs = b.u16();
      const dstOfs = b.u16();
      const src = fieldOfMoveHeader(b.u32());
      const dst = fieldOfMoveHeader(b.u32());
      if (src === undefined || dst === undefined) return undefined;
      return { type: 'nx_reg_move', src: { field: src, ofs: srcOfs, nbits }, dst: { field: dst, ofs: dstOfs, nbits } };
    }
    case NXAST_REG_LOAD2: {
      const field = decodeOxm(b);
      if (b.remaining >= 8) throw new OpenFlowDecodeError('reg_load2: trailing bytes after the OXM');
      return { type: 'nx_reg_load2', field };
    }
    case NXAST_CT:
      return decodeCt(len, b, decodeNested);
    case NXAST_CT_CLEAR:
      return len === 16 ? { type: 'nx_ct_clear' } : undefined;
    case NXAST_NAT:
      return decodeNat(len, b);
    default:
      return undefined;
  }
}

function decodeCt(len: number, b: BufferReader, decodeNested: (r: BufferReader) => Action[]): NxAction | undefined {
  if (len < CT_FIXED_LEN) throw new OpenFlowDecodeError(`ct: length ${len} < ${CT_FIXED_LEN}`);
  const flags = b.u16();
  const zoneSrc = b.u32();
  const zoneBits = b.u16();
  const table = b.u8();
  b.skip(3);
  const alg = b.u16();
  const actions = decodeNested(b);
  if (zoneSrc === 0) return { type: 'nx_ct', flags, zone: zoneBits, table, alg, actions };
  const field = fieldOfHeader(zoneSrc);
  if (field === undefined) return undefined;
  return { type: 'nx_ct', flags, zone: subfield(field, zoneBits), table, alg, actions };
}

function decodeNat(len: number, b: BufferReader): NxAction | undefined {
  if (len < NAT_FIXED_LEN) throw new OpenFlowDecodeError(`nat: length ${len} < ${NAT_FIXED_LEN}`);
  b.skip(2);
  const flags = b.u16();
  const present = b.u16();
  if (present & (NatRange.IPV6_MIN | NatRange.IPV6_MAX) || present >> 6 !== 0) return undefined;
  const a: Extract<NxAction, { type: 'nx_nat' }> = { type: 'nx_nat', flags };
  if (present & NatRange.IPV4_MIN) a.ipv4Min = formatIpv4(b.bytes(4, 'nat ipv4 min'));
  if (present & NatRange.IPV4_MAX) a.ipv4Max = formatIpv4(b.bytes(4, 'nat ipv4 max'));
  if (present & NatRange.PROTO_MIN) a.protoMin = b.u16('nat proto min');
  if (present & NatRange.PROTO_MAX) a.protoMax = b.u16('nat proto max');
  if (b.remaining >= 8) throw new OpenFlowDecodeError('nat: trailing bytes after the ranges');
  return a;
}

// A field's 32-bit NXM header, as ct() and reg_load name a field. Only Nicira's own fields: OVS's
// NXM numbers for OpenFlow's basic fields differ from their OXM numbers.
function nxmHeader(name: OxmFieldName): number {
  const spec = OXM_FIELDS[name];
  if (!spec || spec.oxmClass !== OxmClass.NXM_1) throw new OpenFlowEncodeError(`${String(name)} is not a Nicira field`);
  return ((spec.oxmClass << 16) | (spec.oxmField << 9) | (oxmFieldBits(name) / 8)) >>> 0;
}

function fieldOfHeader(h: number): OxmFieldName | undefined {
  const oxmClass = h >>> 16;
  if (oxmClass !== OxmClass.NXM_1 || (h >> 8) & 1) return undefined;
  const name = knownOxmName(oxmClass, (h >> 9) & 0x7f);
  return name !== undefined && oxmFieldBits(name) === (h & 0xff) * 8 ? name : undefined;
}

/** NXM_OF_* numbers (class 0) of the basic fields OVS may name that way in a move. */
const NXM_0_FIELDS: Readonly<Record<number, OxmFieldName>> = {
  1: 'eth_dst',
  2: 'eth_src',
  7: 'ipv4_src',
  8: 'ipv4_dst',
  15: 'arp_op',
  16: 'arp_spa',
  17: 'arp_tpa',
};

/** NXM_NX_* numbers (class 1) of basic fields OVS names that way in a move (OpenFlow 1.3's OXM
 *  for them exists, but OVS reports the older header). */
const NXM_1_BASIC: Readonly<Record<number, OxmFieldName>> = { 17: 'arp_sha', 18: 'arp_tha' };

// A move names its fields by 32-bit headers: OpenFlow's basic fields by their OXM header (what
// OVS reports in OpenFlow 1.3), Nicira's by their NXM one; a decoded class-0 NXM header is taken too.
function moveHeader(name: OxmFieldName): number {
  const spec = OXM_FIELDS[name];
  if (spec.oxmClass === OxmClass.NXM_1) return nxmHeader(name);
  return ((spec.oxmClass << 16) | (spec.oxmField << 9) | (oxmFieldBits(name) / 8)) >>> 0;
}

function fieldOfMoveHeader(h: number): OxmFieldName | undefined {
  const oxmClass = h >>> 16;
  if ((h >> 8) & 1) return undefined;
  const number = (h >> 9) & 0x7f;
  const name =
    oxmClass === OxmClass.NXM_0
      ? NXM_0_FIELDS[number]
      : (knownOxmName(oxmClass, number) ?? (oxmClass === OxmClass.NXM_1 ? NXM_1_BASIC[number] : undefined));
  return name !== undefined && oxmFieldBits(name) === (h & 0xff) * 8 ? name : undefined;
}

/** A move's bit offset, checked against its field's width. */
function checkedOfs({ field, ofs, nbits }: NxSubfield): number {
  const width = oxmFieldBits(field);
  if (!Number.isInteger(ofs) || ofs < 0 || nbits < 1 || ofs + nbits > width) {
    throw new OpenFlowEncodeError(`${field}: bits ${ofs}+${nbits} do not fit a ${width}-bit field`);
  }
  return ofs;
}

// Nicira's ofs_nbits: the first bit in the high 10 bits, the number of bits less one in the low 6.
function ofsNbits({ field, ofs, nbits }: NxSubfield): number {
  const width = oxmFieldBits(field);
  if (!Number.isInteger(ofs) || !Number.isInteger(nbits) || ofs < 0 || nbits < 1 || nbits > 64 || ofs + nbits > width) {
    throw new OpenFlowEncodeError(`${field}: bits ${ofs}+${nbits} do not fit a ${width}-bit field`);
  }
  return (ofs << 6) | (nbits - 1);
}

function subfield(field: OxmFieldName, ofsNbits: number): NxSubfield {
  return { field, ofs: ofsNbits >> 6, nbits: (ofsNbits & 0x3f) + 1 };
}
