// Pure functions from typed messages to wire bytes. serializeInto() appends to a shared writer so
// that a batch of messages becomes one Buffer (one socket write).
import { encodeActions } from './actions.ts';
import { BufferWriter } from './buffer-writer.ts';
import { ControllerRole, FlowModCommand, GroupModCommand, GroupType, HelloElemType, msgTypeCode, OFP_VERSION } from './constants.ts';
import { OpenFlowEncodeError } from './errors.ts';
import { encodeBuckets } from './group.ts';
import { encodeInstructions } from './instructions.ts';
import { encodeMatch } from './match.ts';
import { encodeMeterMod } from './meter.ts';
import type { OfMessage } from './messages.ts';
import { encodeMultipartReplyBody, encodeMultipartRequestBody, multipartType } from './multipart.ts';
import { encodePortDesc } from './port.ts';

export function serialize(msg: OfMessage): Buffer {
  const w = new BufferWriter(256);
  serializeInto(w, msg);
  return w.toBuffer();
}

export function serializeMany(msgs: readonly OfMessage[]): Buffer {
  const w = new BufferWriter(Math.max(256, msgs.length * 160));
  for (const m of msgs) serializeInto(w, m);
  return w.toBuffer();
}

export function serializeInto(w: BufferWriter, msg: OfMessage): void {
  const start = w.offset;
  w.u8(msg.type === 'hello' ? msg.version : OFP_VERSION)
    .u8(typeCode(msg))
    .u16(0)
    .u32(msg.xid);
  writeBody(w, msg);
  const len = w.offset - start;
  if (len > 0xffff) throw new OpenFlowEncodeError(`${msg.type} message too long (${len} bytes)`);
  w.patchU16(start + 2, len);
}

function typeCode(msg: OfMessage): number {
  const code = msg.type === 'raw' ? msg.msgType : msgTypeCode[msg.type];
  // Only a caller outside the types can send another type.
  if (typeof code !== 'number') throw new OpenFlowEncodeError(`unknown message type ${(msg as { type: string }).type}`);
  return code;
}

function writeBody(w: BufferWriter, msg: OfMessage): void {
  switch (msg.type) {
    case 'hello': {
      if (msg.versions === undefined) return;
      const elem = w.offset;
      const words = Math.floor(Math.max(0, ...msg.versions) / 32) + 1;
      const bitmap = new Array<number>(words).fill(0);
      for (const v of msg.versions) bitmap[v >> 5] = (bitmap[v >> 5]! | (1 << (v & 31))) >>> 0;
      w.u16(HelloElemType.VERSIONBITMAP).u16(4 + 4 * words);
      for (const word of bitmap) w.u32(word);
      w.pad8(elem);
      return;
    }
    case 'error':
      w.u16(msg.errorType).u16(msg.errorCode);
      if (msg.errorType === 0xffff) w.u32(msg.experimenter ?? 0);
      w.bytes(msg.data);
      return;
    case 'echo_request':
    case 'echo_reply':
      w.bytes(msg.data);
      return;
    case 'experimenter':
      w.u32(msg.experimenter).u32(msg.expType).bytes(msg.data);
      return;
    case 'features_request':
    case 'get_config_request':
    case 'barrier_request':
    case 'barrier_reply':
      return;
    case 'features_reply':
      w.u64(msg.datapathId).u32(msg.nBuffers).u8(msg.nTables).u8(msg.auxiliaryId).zeros(2);
      w.u32(msg.capabilities).u32(0);
      return;
    case 'get_config_reply':
    case 'set_config':
      w.u16(msg.flags).u16(msg.missSendLen);
      return;
    case 'packet_in':
      w.u32(msg.bufferId).u16(msg.totalLen).u8(msg.reason).u8(msg.tableId).u64(msg.cookie);
      encodeMatch(w, msg.match);
      w.zeros(2).bytes(msg.data);
      return;
    case 'flow_removed':
      w.u64(msg.cookie).u16(msg.priority).u8(msg.reason).u8(msg.tableId);
      w.u32(msg.durationSec).u32(msg.durationNsec).u16(msg.idleTimeout).u16(msg.hardTimeout);
      w.u64(msg.packetCount).u64(msg.byteCount);
      encodeMatch(w, msg.match);
      return;
    case 'port_status':
      w.u8(msg.reason).zeros(7);
      encodePortDesc(w, msg.port);
      return;
    case 'packet_out': {
      w.u32(msg.bufferId).u32(msg.inPort);
      const lenAt = w.offset;
      w.u16(0).zeros(6);
      encodeActions(w, msg.actions);
      w.patchU16(lenAt, w.offset - lenAt - 8);
      w.bytes(msg.data);
      return;
    }
    case 'flow_mod':
      w.u64(msg.cookie)
        .u64(msg.cookieMask)
        .u8(msg.tableId)
        .u8(enumValue(FlowModCommand, msg.command, 'flow_mod command'));
      w.u16(msg.idleTimeout).u16(msg.hardTimeout).u16(msg.priority);
      w.u32(msg.bufferId).u32(msg.outPort).u32(msg.outGroup).u16(msg.flags).zeros(2);
      encodeMatch(w, msg.match);
      encodeInstructions(w, msg.instructions);
      return;
    case 'group_mod':
      w.u16(enumValue(GroupModCommand, msg.command, 'group_mod command'))
        .u8(enumValue(GroupType, msg.groupType, 'group type'))
        .zeros(1)
        .u32(msg.groupId);
      encodeBuckets(w, msg.buckets);
      return;
    case 'meter_mod':
      return encodeMeterMod(w, msg);
    case 'multipart_request':
      w.u16(multipartType(msg.body)).u16(msg.flags).zeros(4);
      encodeMultipartRequestBody(w, msg.body);
      return;
    case 'multipart_reply':
      w.u16(multipartType(msg.body)).u16(msg.flags).zeros(4);
      encodeMultipartReplyBody(w, msg.body);
      return;
    case 'role_request':
    case 'role_reply':
      w.u32(enumValue(ControllerRole, msg.role, 'role'))
        .zeros(4)
        .u64(msg.generationId);
      return;
    case 'raw':
      w.bytes(msg.body);
      return;
  }
}

function enumValue<T extends Record<string, number>>(map: T, key: string, what: string): number {
  const v = map[key];
  if (v === undefined) throw new OpenFlowEncodeError(`unknown ${what}: ${key}`);
  return v;
}
