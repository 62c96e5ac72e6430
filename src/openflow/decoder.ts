// One complete frame (header included) → a typed message. Throws OpenFlowDecodeError on bad
// bytes; the parser catches it, so nothing here escapes to a stream consumer.
import { decodeActions } from './actions.ts';
import { BufferReader } from './buffer-reader.ts';
import {
  controllerRoleName,
  flowModCommandName,
  groupModCommandName,
  HelloElemType,
  MsgType,
  OFP_HEADER_LEN,
  OFP_VERSION,
} from './constants.ts';
import { OpenFlowDecodeError } from './errors.ts';
import { decodeBuckets, decodeGroupType } from './group.ts';
import { decodeInstructions } from './instructions.ts';
import { decodeMatch } from './match.ts';
import { decodeMeterMod } from './meter.ts';
import type { OfMessage } from './messages.ts';
import { decodeMultipartReplyBody, decodeMultipartRequestBody } from './multipart.ts';
import { decodePortDesc } from './port.ts';

export function decodeMessage(frame: Buffer): OfMessage {
  const h = new BufferReader(frame);
  const version = h.u8();
  const msgType = h.u8();
  const length = h.u16();
  const xid = h.u32();
  if (length !== frame.length || length < OFP_HEADER_LEN) {
    throw new OpenFlowDecodeError(`frame length ${frame.length} does not match header length ${length}`, { xid, msgType });
  }
  if (msgType !== MsgType.HELLO && version !== OFP_VERSION) {
    throw new OpenFlowDecodeError(`version 0x${version.toString(16)} is not OpenFlow 1.3`, { xid, msgType });
  }
  try {
    const msg = decodeBody(msgType, xid, version, h);
    if (h.remaining !== 0) throw new OpenFlowDecodeError(`${msg.type}: ${h.remaining} trailing bytes`);
    return msg;
  } catch (err) {
    if (err instanceof OpenFlowDecodeError) {
      throw new OpenFlowDecodeError(`type ${msgType} xid ${xid}: ${err.message}`, { xid, msgType, cause: err });
    }
    throw err;
  }
}

// One case per message type, as the wire defines them: clearer whole than cut into pieces.
// eslint-disable-next-line max-lines-per-function
function decodeBody(msgType: number, xid: number, version: number, r: BufferReader): OfMessage {
  switch (msgType) {
    case MsgType.HELLO:
      return { type: 'hello', xid, version, versions: decodeHelloElements(r) };
    case MsgType.ERROR: {
      const errorType = r.u16();
      const errorCode = r.u16();
      if (errorType === 0xffff) {
        const experimenter = r.u32();
        return { type: 'error', xid, errorType, errorCode, experimenter, data: r.rest() };
      }
      return { type: 'error', xid, errorType, errorCode, data: r.rest() };
    }
    case MsgType.ECHO_REQUEST:
      return { type: 'echo_request', xid, data: r.rest() };
    case MsgType.ECHO_REPLY:
      return { type: 'echo_reply', xid, data: r.rest() };
    case MsgType.EXPERIMENTER: {
      const experimenter = r.u32();
      const expType = r.u32();
      return { type: 'experimenter', xid, experimenter, expType, data: r.rest() };
    }
    case MsgType.FEATURES_REQUEST:
      return { type: 'features_request', xid };
    case MsgType.FEATURES_REPLY: {
      const datapathId = r.u64();
      const nBuffers = r.u32();
      const nTables = r.u8();
      const auxiliaryId = r.u8();
      r.skip(2);
      const capabilities = r.u32();
      r.skip(4);
      return { type: 'features_reply', xid, datapathId, nBuffers, nTables, auxiliaryId, capabilities };
    }
    case MsgType.GET_CONFIG_REQUEST:
      return { type: 'get_config_request', xid };
    case MsgType.GET_CONFIG_REPLY:
    case MsgType.SET_CONFIG: {
      const flags = r.u16();
      const missSendLen = r.u16();
      return { type: msgType === MsgType.SET_CONFIG ? 'set_config' : 'get_config_reply', xid, flags, missSendLen };
    }
    case MsgType.PACKET_IN: {
      const bufferId = r.u32();
      const totalLen = r.u16();
      const reason = r.u8();
      const tableId = r.u8();
      const cookie = r.u64();
      const match = decodeMatch(r);
      r.skip(2);
      return { type: 'packet_in', xid, bufferId, totalLen, reason, tableId, cookie, match, data: r.rest() };
    }
    case MsgType.FLOW_REMOVED: {
      const cookie = r.u64();
      const priority = r.u16();
      const reason = r.u8();
      const tableId = r.u8();
      const durationSec = r.u32();
      const durationNsec = r.u32();
      const idleTimeout = r.u16();
      const hardTimeout = r.u16();
      const packetCount = r.u64();
      const byteCount = r.u64();
      const match = decodeMatch(r);
      return {
        type: 'flow_removed',
        xid,
        cookie,
        priority,
        reason,
        tableId,
        durationSec,
        durationNsec,
        idleTimeout,
        hardTimeout,
        packetCount,
        byteCount,
        match,
      };
    }
    case MsgType.PORT_STATUS: {
      const reason = r.u8();
      r.skip(7);
      return { type: 'port_status', xid, reason, port: decodePortDesc(r) };
    }
    case MsgType.PACKET_OUT: {
      const bufferId = r.u32();
      const inPort = r.u32();
      const actionsLen = r.u16();
      r.skip(6);
      const actions = decodeActions(r.sub(actionsLen, 'packet_out actions'));
      return { type: 'packet_out', xid, bufferId, inPort, actions, data: r.rest() };
    }
    case MsgType.FLOW_MOD: {
      const cookie = r.u64();
      const cookieMask = r.u64();
      const tableId = r.u8();
      const commandNo = r.u8();
      const command = flowModCommandName.get(commandNo);
      if (command === undefined) throw new OpenFlowDecodeError(`unknown flow_mod command ${commandNo}`);
      const idleTimeout = r.u16();
      const hardTimeout = r.u16();
      const priority = r.u16();
      const bufferId = r.u32();
      const outPort = r.u32();
      const outGroup = r.u32();
      const flags = r.u16();
      r.skip(2);
      const match = decodeMatch(r);
      const instructions = decodeInstructions(r);
      return {
        type: 'flow_mod',
        xid,
        cookie,
        cookieMask,
        tableId,
        command,
        idleTimeout,
        hardTimeout,
        priority,
        bufferId,
        outPort,
        outGroup,
        flags,
        match,
        instructions,
      };
    }
    case MsgType.GROUP_MOD: {
      const commandNo = r.u16();
      const command = groupModCommandName.get(commandNo);
      if (command === undefined) throw new OpenFlowDecodeError(`unknown group_mod command ${commandNo}`);
      const groupType = decodeGroupType(r.u8());
      r.skip(1);
      const groupId = r.u32();
      return { type: 'group_mod', xid, command, groupType, groupId, buckets: decodeBuckets(r) };
    }
    case MsgType.METER_MOD:
      return decodeMeterMod(xid, r);
    case MsgType.MULTIPART_REQUEST:
    case MsgType.MULTIPART_REPLY: {
      const mpType = r.u16();
      const flags = r.u16();
      r.skip(4);
      if (msgType === MsgType.MULTIPART_REQUEST) {
        return { type: 'multipart_request', xid, flags, body: decodeMultipartRequestBody(mpType, r) };
      }
      return { type: 'multipart_reply', xid, flags, body: decodeMultipartReplyBody(mpType, r) };
    }
    case MsgType.BARRIER_REQUEST:
      return { type: 'barrier_request', xid };
    case MsgType.BARRIER_REPLY:
      return { type: 'barrier_reply', xid };
    case MsgType.ROLE_REQUEST:
    case MsgType.ROLE_REPLY: {
      const roleNo = r.u32();
      const role = controllerRoleName.get(roleNo);
      if (role === undefined) throw new OpenFlowDecodeError(`unknown controller role ${roleNo}`);
      r.skip(4);
      const generationId = r.u64();
      return { type: msgType === MsgType.ROLE_REQUEST ? 'role_request' : 'role_reply', xid, role, generationId };
    }
    default:
      return { type: 'raw', xid, msgType, body: r.rest() };
  }
}

// HELLO elements: we read the version bitmap and skip any other element type.
function decodeHelloElements(r: BufferReader): number[] | undefined {
  let versions: number[] | undefined;
  while (r.remaining > 0) {
    const type = r.u16('hello element type');
    const len = r.u16('hello element length');
    if (len < 4) throw new OpenFlowDecodeError(`hello element length ${len} < 4`);
    const body = r.sub(len - 4, 'hello element');
    r.skip(Math.min(r.remaining, (8 - (len % 8)) % 8));
    if (type !== HelloElemType.VERSIONBITMAP) continue;
    if (body.remaining % 4 !== 0) throw new OpenFlowDecodeError('hello version bitmap not a multiple of 4 bytes');
    versions = [];
    for (let word = 0; body.remaining > 0; word++) {
      const bits = body.u32();
      for (let bit = 0; bit < 32; bit++) if ((bits >>> bit) & 1) versions.push(word * 32 + bit);
    }
  }
  return versions;
}
