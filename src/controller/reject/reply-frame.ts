// What a `reject` rule answers (as OVN's reject action and a host's own stack do): a TCP segment
// gets a reset, anything else over IPv4 an ICMP port unreachable quoting the original header and
// 8 bytes of what followed it. The answer comes from the rejected packet's destination (addresses
// and ports swapped), so the sender's socket sees "connection refused" at once. And what a
// distributed router answers a packet whose TTL runs out: ICMP time exceeded, from the router's
// address. Pure bytes.
import { checksum } from '../traceflow/packet.ts';

const ETH_IP = 0x0800;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, ACK: 0x10 } as const;
/** ICMP destination unreachable, port unreachable. */
const UNREACHABLE = { type: 3, code: 3 } as const;
/** ICMP time exceeded in transit. */
const TIME_EXCEEDED = { type: 11, code: 0 } as const;
const TTL = 64;

/** The parts of a rejected Ethernet/IPv4 frame an answer needs; undefined: nothing to answer. */
interface Rejected {
  ethSrc: Buffer;
  ethDst: Buffer;
  /** The IPv4 header and everything after it (Ethernet padding cut off). */
  ip: Buffer;
  headerLength: number;
  proto: number;
}

function parse(frame: Buffer): Rejected | undefined {
  if (frame.length < 34 || frame.readUInt16BE(12) !== ETH_IP) return undefined;
  const start = frame.subarray(14);
  const headerLength = (start[0]! & 0x0f) * 4;
  if (start[0]! >> 4 !== 4 || headerLength < 20) return undefined;
  const total = start.readUInt16BE(2);
  if (total < headerLength || total > start.length) return undefined;
  // Only a first fragment carries the transport header (and a host answers once per datagram).
  if ((start.readUInt16BE(6) & 0x1fff) !== 0) return undefined;
  // Never to a broadcast or multicast source, never about a broadcast or multicast destination.
  if ((frame[0]! & 1) !== 0 || (frame[6]! & 1) !== 0 || start[16]! >= 224 || start.readUInt32BE(16) === 0xffffffff) return undefined;
  return { ethDst: frame.subarray(0, 6), ethSrc: frame.subarray(6, 12), ip: start.subarray(0, total), headerLength, proto: start[9]! };
}

/** An IPv4 header back to the packet's source: from its destination, or from `from`. */
function ipHeader(r: Rejected, proto: number, payloadLength: number, from?: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt8(0x45, 0);
  h.writeUInt16BE(20 + payloadLength, 2);
  h.writeUInt16BE(0x4000, 6); // don't fragment
  h.writeUInt8(TTL, 8);
  h.writeUInt8(proto, 9);
  if (from) from.copy(h, 12);
  else r.ip.copy(h, 12, 16, 20);
  r.ip.copy(h, 16, 12, 16);
  h.writeUInt16BE(checksum(h), 10);
  return h;
}

/** RFC 9293 3.10.7.1: to a segment with ACK, a reset whose sequence number is that ack; to one
 *  without (a SYN), a reset with ACK acknowledging everything it occupied. Never to a reset. */
function tcpReset(r: Rejected): Buffer | undefined {
  const seg = r.ip.subarray(r.headerLength);
  if (seg.length < 20) return undefined;
  const flags = seg[13]!;
  if (flags & TCP.RST) return undefined;
  const t = Buffer.alloc(20);
  t.writeUInt16BE(seg.readUInt16BE(2), 0);
  t.writeUInt16BE(seg.readUInt16BE(0), 2);
  t.writeUInt8(5 << 4, 12);
  if (flags & TCP.ACK) {
    t.writeUInt32BE(seg.readUInt32BE(8), 4);
    t.writeUInt8(TCP.RST, 13);
  } else {
    const dataLength = seg.length - (seg[12]! >> 4) * 4;
    const occupied = dataLength + (flags & TCP.SYN ? 1 : 0) + (flags & TCP.FIN ? 1 : 0);
    t.writeUInt32BE((seg.readUInt32BE(4) + occupied) >>> 0, 8);
    t.writeUInt8(TCP.RST | TCP.ACK, 13);
  }
  const pseudo = Buffer.alloc(12);
  r.ip.copy(pseudo, 0, 16, 20);
  r.ip.copy(pseudo, 4, 12, 16);
  pseudo.writeUInt8(PROTO_TCP, 9);
  pseudo.writeUInt16BE(t.length, 10);
  t.writeUInt16BE(checksum(pseudo, t), 16);
  return t;
}

/** RFC 792: the original header and its first 8 data bytes. Never about an ICMP error (RFC 1122
 *  3.2.2): only an echo request or another informational message is answered. */
function icmpError(r: Rejected, kind: { type: number; code: number }): Buffer | undefined {
  if (r.proto === PROTO_ICMP) {
    const type = r.ip[r.headerLength];
    if (type === undefined || ![8, 13, 15, 17].includes(type)) return undefined;
  }
  const quoted = r.ip.subarray(0, r.headerLength + 8);
  const m = Buffer.concat([Buffer.from([kind.type, kind.code, 0, 0, 0, 0, 0, 0]), quoted]);
  m.writeUInt16BE(checksum(m), 2);
  return m;
}

/** An Ethernet frame back to the sender of `r` (MACs swapped), padded to Ethernet's minimum. */
function frameBack(r: Rejected, ip: Buffer, payload: Buffer): Buffer {
  const type = Buffer.from([ETH_IP >> 8, ETH_IP & 0xff]);
  const reply = Buffer.concat([r.ethSrc, r.ethDst, type, ip, payload]);
  return reply.length >= 60 ? reply : Buffer.concat([reply, Buffer.alloc(60 - reply.length)]);
}

/** The frame answering a rejected one, or undefined when it gets none (not IPv4, a reset, an ICMP
 *  error, a later fragment, broadcast or multicast). */
export function rejectReply(frame: Buffer): Buffer | undefined {
  const r = parse(frame);
  if (!r) return undefined;
  const proto = r.proto === PROTO_TCP ? PROTO_TCP : PROTO_ICMP;
  const payload = proto === PROTO_TCP ? tcpReset(r) : icmpError(r, UNREACHABLE);
  if (!payload) return undefined;
  return frameBack(r, ipHeader(r, proto, payload.length), payload);
}

/** ICMP time exceeded about `frame` (a packet a router could not forward, its TTL run out), from
 *  the router's address `router` (4 bytes) and its MAC (the frame's destination); undefined when
 *  it gets none (not IPv4, an ICMP error, a later fragment, broadcast or multicast). */
export function timeExceededReply(frame: Buffer, router: Buffer): Buffer | undefined {
  const r = parse(frame);
  const payload = r && icmpError(r, TIME_EXCEEDED);
  return r && payload && frameBack(r, ipHeader(r, PROTO_ICMP, payload.length, router), payload);
}
