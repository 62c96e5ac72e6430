// Actions, their own sublanguage: output, group, set_field, VLAN push/pop, TTL handling, queues,
// and Nicira's (nx-actions.ts): resubmit, masked set_field, conntrack. Unknown actions survive
// decoding as raw bytes.
import { BufferReader } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import { ActionType, CONTROLLER_MAX_LEN_NO_BUFFER, NX_VENDOR_ID, Port } from './constants.ts';
import { OpenFlowDecodeError, OpenFlowEncodeError } from './errors.ts';
import { decodeOxm, encodeOxm, oxmFieldBits, type OxmField, type OxmFieldName } from './match.ts';
import { ctAction, decodeNxAction, encodeNxAction, isNxAction, natAction, type NxAction } from './nx-actions.ts';
import { decodeTlvs } from './tlv.ts';

export type Action =
  /** maxLen: bytes sent to the controller when port is CONTROLLER (default 0xffff = whole packet). */
  | { type: 'output'; port: number; maxLen?: number }
  | { type: 'group'; groupId: number }
  | { type: 'set_field'; field: OxmField }
  | { type: 'push_vlan'; ethertype: number }
  | { type: 'pop_vlan' }
  | { type: 'dec_nw_ttl' }
  | { type: 'set_nw_ttl'; ttl: number }
  | { type: 'copy_ttl_out' }
  | { type: 'copy_ttl_in' }
  | { type: 'set_queue'; queueId: number }
  | NxAction
  /** Any other experimenter action; `data` follows the 4-byte experimenter id. */
  | { type: 'experimenter'; experimenter: number; data: Buffer }
  /** An action type we do not interpret; `body` follows the 4-byte type/length header. */
  | { type: 'raw'; actionType: number; body: Buffer };

/** Helpers for the common actions, so callers need not remember field names. */
export const act = {
  output: (port: number, maxLen?: number): Action =>
    maxLen === undefined && port !== Port.CONTROLLER
      ? { type: 'output', port }
      : { type: 'output', port, maxLen: maxLen ?? CONTROLLER_MAX_LEN_NO_BUFFER },
  group: (groupId: number): Action => ({ type: 'group', groupId }),
  /** set_field; with a mask (e.g. one bit of ct_mark), Nicira's reg_load2, as OVS needs in 1.3. */
  setField: (field: OxmField): Action =>
    field.field !== 'raw' && field.mask !== undefined ? { type: 'nx_reg_load2', field } : { type: 'set_field', field },
  pushVlan: (ethertype = 0x8100): Action => ({ type: 'push_vlan', ethertype }),
  popVlan: (): Action => ({ type: 'pop_vlan' }),
  decTtl: (): Action => ({ type: 'dec_nw_ttl' }),
  setQueue: (queueId: number): Action => ({ type: 'set_queue', queueId }),
  resubmit: (table: number, inPort = 0xfff8): Action => ({ type: 'nx_resubmit_table', inPort, table }),
  /** move:src[]->dst[]: the whole of `src` into the whole of `dst` (fields of one width). */
  move: (src: OxmFieldName, dst: OxmFieldName): Action => ({
    type: 'nx_reg_move',
    src: { field: src, ofs: 0, nbits: oxmFieldBits(src) },
    dst: { field: dst, ofs: 0, nbits: oxmFieldBits(dst) },
  }),
  /** ct(commit, zone=5, table=1, nat, exec(set_field:1->ct_mark)): see CtOptions. */
  ct: ctAction,
  ctClear: (): Action => ({ type: 'nx_ct_clear' }),
  /** nat(...) to nest in ct() by hand; act.ct({ nat }) places it first as OVS prints it. */
  nat: natAction,
};

export function encodeAction(w: BufferWriter, a: Action): void {
  if (isNxAction(a)) return encodeNxAction(w, a, encodeActions);
  const start = w.offset;
  switch (a.type) {
    case 'output':
      w.u16(ActionType.OUTPUT)
        .u16(16)
        .u32(a.port)
        .u16(a.maxLen ?? 0)
        .zeros(6);
      return;
    case 'group':
      w.u16(ActionType.GROUP).u16(8).u32(a.groupId);
      return;
    case 'set_field':
      w.u16(ActionType.SET_FIELD).u16(0);
      encodeOxm(w, a.field);
      w.pad8(start);
      w.patchU16(start + 2, w.offset - start);
      return;
    case 'push_vlan':
      w.u16(ActionType.PUSH_VLAN).u16(8).u16(a.ethertype).zeros(2);
      return;
    case 'pop_vlan':
      w.u16(ActionType.POP_VLAN).u16(8).zeros(4);
      return;
    case 'dec_nw_ttl':
      w.u16(ActionType.DEC_NW_TTL).u16(8).zeros(4);
      return;
    case 'set_nw_ttl':
      w.u16(ActionType.SET_NW_TTL).u16(8).u8(a.ttl).zeros(3);
      return;
    case 'copy_ttl_out':
      w.u16(ActionType.COPY_TTL_OUT).u16(8).zeros(4);
      return;
    case 'copy_ttl_in':
      w.u16(ActionType.COPY_TTL_IN).u16(8).zeros(4);
      return;
    case 'set_queue':
      w.u16(ActionType.SET_QUEUE).u16(8).u32(a.queueId);
      return;
    case 'experimenter':
      if ((a.data.length + 8) % 8 !== 0) throw new OpenFlowEncodeError('experimenter action data must pad to 8');
      w.u16(ActionType.EXPERIMENTER)
        .u16(8 + a.data.length)
        .u32(a.experimenter)
        .bytes(a.data);
      return;
    case 'raw':
      if ((a.body.length + 4) % 8 !== 0) throw new OpenFlowEncodeError('raw action length must be a multiple of 8');
      w.u16(a.actionType)
        .u16(4 + a.body.length)
        .bytes(a.body);
      return;
    default:
      throw new OpenFlowEncodeError(`unknown action ${(a as { type: string }).type}`);
  }
}

export function encodeActions(w: BufferWriter, actions: readonly Action[]): void {
  for (const a of actions) encodeAction(w, a);
}

export function decodeActions(r: BufferReader): Action[] {
  return decodeTlvs(r, 'action', decodeAction);
}

/** One action from its type, its length and its body. */
function decodeAction(type: number, len: number, b: BufferReader): Action {
  const fixed = (expected: number) => {
    if (len !== expected) throw new OpenFlowDecodeError(`action type ${type}: length ${len}, expected ${expected}`);
  };
  switch (type) {
    case ActionType.OUTPUT: {
      fixed(16);
      const port = b.u32();
      return { type: 'output', port, maxLen: b.u16() };
    }
    case ActionType.GROUP:
      fixed(8);
      return { type: 'group', groupId: b.u32() };
    case ActionType.SET_FIELD: {
      const field = decodeOxm(b);
      if (b.remaining >= 8) throw new OpenFlowDecodeError('set_field: trailing bytes after the OXM');
      return { type: 'set_field', field };
    }
    case ActionType.PUSH_VLAN:
      fixed(8);
      return { type: 'push_vlan', ethertype: b.u16() };
    case ActionType.POP_VLAN:
      fixed(8);
      return { type: 'pop_vlan' };
    case ActionType.DEC_NW_TTL:
      fixed(8);
      return { type: 'dec_nw_ttl' };
    case ActionType.SET_NW_TTL:
      fixed(8);
      return { type: 'set_nw_ttl', ttl: b.u8() };
    case ActionType.COPY_TTL_OUT:
      fixed(8);
      return { type: 'copy_ttl_out' };
    case ActionType.COPY_TTL_IN:
      fixed(8);
      return { type: 'copy_ttl_in' };
    case ActionType.SET_QUEUE:
      fixed(8);
      return { type: 'set_queue', queueId: b.u32() };
    case ActionType.EXPERIMENTER: {
      const experimenter = b.u32('experimenter id');
      const data = b.rest();
      if (experimenter === NX_VENDOR_ID && data.length >= 2) {
        const body = new BufferReader(data, 2);
        const nx = decodeNxAction(data.readUInt16BE(0), len, body, decodeActions);
        if (nx) return nx;
      }
      return { type: 'experimenter', experimenter, data };
    }
    default:
      return { type: 'raw', actionType: type, body: b.rest() };
  }
}

/** Decodes a standalone action list (e.g. for tests). */
export function decodeActionBytes(b: Buffer): Action[] {
  return decodeActions(new BufferReader(b));
}
