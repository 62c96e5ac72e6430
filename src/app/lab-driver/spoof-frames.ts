// The frames `spoof` sends, built byte by byte (the VM writes them as they are on a packet
// socket), and how its captures are read. Each frame carries a tag, a random marker of the step
// and its role, kind and index: in an ICMP echo request's payload, in an ARP request's Ethernet
// padding, so every copy seen anywhere names the frame it is a copy of.
//
// Forged frames do as little harm as they can: an ARP request from a forged MAC is a probe (sender
// address 0.0.0.0, which updates no neighbour table); one from a forged IPv4 address cannot avoid
// teaching receivers that address (the driver removes it from the switch's VMs afterwards).
import { parseIp } from '../../model/index.ts';
import { BROADCAST_MAC, ETHERTYPE_IPV4, ICMP_ECHO_REQUEST, PROTO_ICMP, etherPayload, innerFrame, ipv4Offset, pcapFrames } from './pcap.ts';

const ETHERTYPE_ARP = 0x0806;
const ARP_REQUEST = 1;
const ARP_LENGTH = 28;
const MIN_FRAME = 60;
/** The ICMP payload: the tag, then zeros. */
const ICMP_PAYLOAD = 32;
export const MARKER_LENGTH = 8;
const TAG_LENGTH = MARKER_LENGTH + 3;

export const SPOOF_FRAME_KINDS = ['icmp', 'arp'] as const;
export type SpoofFrameKind = (typeof SPOOF_FRAME_KINDS)[number];
export type FrameRole = 'forged' | 'legit';
const ROLES: readonly FrameRole[] = ['forged', 'legit'];

/** An interface's addresses. */
export interface Endpoint {
  mac: string;
  ip: string;
}

export interface SpoofFramesRequest {
  /** The sending VM's own addresses. */
  sender: Endpoint;
  /** Where the echo requests go and whose address the ARP requests ask for (broadcast MAC: none in particular). */
  target: Endpoint;
  /** The forged source: one of the two. */
  forged: { ip?: string; mac?: string };
  /** Frames of each kind and role. */
  count: number;
  marker: Buffer;
}

export interface TaggedFrame {
  role: FrameRole;
  kind: SpoofFrameKind;
  index: number;
  bytes: Buffer;
}

const macBytes = (mac: string): Buffer => Buffer.from(mac.replace(/:/g, ''), 'hex');

function ipBytes(ip: string): Buffer {
  const value = parseIp(ip);
  if (value === undefined) throw new Error(`not an IPv4 address: ${ip}`);
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** The Internet checksum (RFC 1071) of `data`. */
export function checksum(data: Buffer): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += (data[i] ?? 0) * 256 + (data[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function tag(marker: Buffer, role: FrameRole, kind: SpoofFrameKind, index: number): Buffer {
  return Buffer.concat([marker, Buffer.from([ROLES.indexOf(role), SPOOF_FRAME_KINDS.indexOf(kind), index])]);
}

function ethernet(dst: string, src: string, type: number): Buffer {
  const header = Buffer.alloc(14);
  macBytes(dst).copy(header, 0);
  macBytes(src).copy(header, 6);
  header.writeUInt16BE(type, 12);
  return header;
}

function echoRequest(src: Endpoint, dst: Endpoint, index: number, payload: Buffer): Buffer {
  const icmp = Buffer.alloc(8 + ICMP_PAYLOAD);
  icmp[0] = ICMP_ECHO_REQUEST;
  icmp.writeUInt16BE(0x6e76, 4); // identifier: "nv"
  icmp.writeUInt16BE(index + 1, 6);
  payload.copy(icmp, 8);
  icmp.writeUInt16BE(checksum(icmp), 2);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + icmp.length, 2);
  ip.writeUInt16BE(0x4000, 6); // don't fragment
  ip[8] = 64;
  ip[9] = PROTO_ICMP;
  ipBytes(src.ip).copy(ip, 12);
  ipBytes(dst.ip).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([ethernet(dst.mac, src.mac, ETHERTYPE_IPV4), ip, icmp]);
}

/** A broadcast ARP request from `ethSrc`, saying `sender` and asking for `targetIp`; the tag
 *  goes in the padding up to Ethernet's 60 bytes. */
function arpRequest(ethSrc: string, sender: Endpoint, targetIp: string, padding: Buffer): Buffer {
  const arp = Buffer.alloc(ARP_LENGTH);
  arp.writeUInt16BE(1, 0); // Ethernet
  arp.writeUInt16BE(ETHERTYPE_IPV4, 2);
  arp[4] = 6;
  arp[5] = 4;
  arp.writeUInt16BE(ARP_REQUEST, 6);
  macBytes(sender.mac).copy(arp, 8);
  ipBytes(sender.ip).copy(arp, 14);
  ipBytes(targetIp).copy(arp, 24);
  const frame = Buffer.concat([ethernet(BROADCAST_MAC, ethSrc, ETHERTYPE_ARP), arp]);
  return Buffer.concat([frame, padding, Buffer.alloc(Math.max(0, MIN_FRAME - frame.length - padding.length))]);
}

/** Every frame of a spoof step: the forged ones, then as many legitimate ones; per role, the
 *  echo requests then the ARP requests. */
export function spoofFrames(request: SpoofFramesRequest): TaggedFrame[] {
  const { sender, target, forged, count, marker } = request;
  if (marker.length !== MARKER_LENGTH) throw new Error(`a marker is ${MARKER_LENGTH} bytes`);
  const frames: TaggedFrame[] = [];
  for (const role of ROLES) {
    const src = role === 'forged' ? { mac: forged.mac ?? sender.mac, ip: forged.ip ?? sender.ip } : sender;
    // A forged MAC asks as a probe (RFC 5227): sender address 0.0.0.0 teaches no one anything.
    const arpSender = role === 'forged' && forged.mac !== undefined ? { mac: src.mac, ip: '0.0.0.0' } : src;
    for (let index = 0; index < count; index++) {
      const bytes = echoRequest(src, target, index, tag(marker, role, 'icmp', index));
      frames.push({ role, kind: 'icmp', index, bytes });
    }
    for (let index = 0; index < count; index++) {
      const bytes = arpRequest(src.mac, arpSender, target.ip, tag(marker, role, 'arp', index));
      frames.push({ role, kind: 'arp', index, bytes });
    }
  }
  return frames;
}

function readTag(bytes: Buffer, marker: Buffer): Omit<TaggedFrame, 'bytes'> | undefined {
  if (bytes.length < TAG_LENGTH || !bytes.subarray(0, MARKER_LENGTH).equals(marker)) return undefined;
  const role = ROLES[bytes[MARKER_LENGTH] ?? -1];
  const kind = SPOOF_FRAME_KINDS[bytes[MARKER_LENGTH + 1] ?? -1];
  return role && kind ? { role, kind, index: bytes[MARKER_LENGTH + 2] ?? 0 } : undefined;
}

/** Which frame of the step `frame` is a copy of: an echo request or an ARP request carrying its
 *  tag (replies may echo the payload; they are not copies). */
export function identifyFrame(frame: Buffer, marker: Buffer): Omit<TaggedFrame, 'bytes'> | undefined {
  const ip = ipv4Offset(frame);
  if (ip !== undefined) {
    if (frame[ip + 9] !== PROTO_ICMP) return undefined;
    const icmp = ip + ((frame[ip] ?? 0) & 0x0f) * 4;
    if (frame[icmp] !== ICMP_ECHO_REQUEST) return undefined;
    const found = readTag(frame.subarray(icmp + 8), marker);
    return found?.kind === 'icmp' ? found : undefined;
  }
  const l3 = etherPayload(frame);
  if (l3?.type !== ETHERTYPE_ARP || frame.length < l3.at + ARP_LENGTH || frame.readUInt16BE(l3.at + 6) !== ARP_REQUEST) return undefined;
  const found = readTag(frame.subarray(l3.at + ARP_LENGTH), marker);
  return found?.kind === 'arp' ? found : undefined;
}

/** What a set of captures saw of a step's frames. */
export interface SpoofCount {
  /** Copies of forged frames in each capture, by label. */
  copies: Record<string, number>;
  /** Distinct frames of each role seen in any capture. */
  distinct: Record<FrameRole, number>;
}

/** Counts a step's frames in captures; `tunnelled` ones are read inside their tunnel packets. */
export function countSpoofed(captures: readonly { label: string; pcap: Buffer; tunnelled: boolean }[], marker: Buffer): SpoofCount {
  const seen: Record<FrameRole, Set<string>> = { forged: new Set(), legit: new Set() };
  const copies: Record<string, number> = {};
  for (const capture of captures) {
    copies[capture.label] = 0;
    for (const packet of pcapFrames(capture.pcap)) {
      const frame = capture.tunnelled ? innerFrame(packet) : packet;
      const found = frame && identifyFrame(frame, marker);
      if (!found) continue;
      seen[found.role].add(`${found.kind}/${found.index}`);
      if (found.role === 'forged') copies[capture.label]! += 1;
    }
  }
  return { copies, distinct: { forged: seen.forged.size, legit: seen.legit.size } };
}
