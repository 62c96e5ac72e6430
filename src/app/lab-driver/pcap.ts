// Reading the captures a flood takes. tcpdump's BPF filter keeps the files small; the exact
// judgement (is this the marked request, sent to the expected L2 destination?) is made here,
// where the inner frame of a geneve, vxlan or gre packet is as easy to read as a plain one.

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
const ETH_HEADER = 14;
export const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_TEB = 0x6558; // transparent Ethernet bridging: an Ethernet frame inside gre/geneve
export const PROTO_ICMP = 1;
const PROTO_UDP = 17;
const PROTO_GRE = 47;
export const ICMP_ECHO_REQUEST = 8;
const PORT_GENEVE = 6081;
const PORT_VXLAN = 4789;
const LINKTYPE_ETHERNET = 1;

/** The frames of a classic pcap file (what `tcpdump -w` writes), as Ethernet frames. */
export function pcapFrames(file: Buffer): Buffer[] {
  if (file.length < 24) return [];
  const magic = file.readUInt32LE(0);
  // µs and ns variants, in either byte order; the record layout is the same.
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const big = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!little && !big) throw new Error('not a pcap file');
  const u32 = (offset: number) => (little ? file.readUInt32LE(offset) : file.readUInt32BE(offset));
  if (u32(20) !== LINKTYPE_ETHERNET) throw new Error(`pcap link type ${u32(20)} is not Ethernet`);
  const frames: Buffer[] = [];
  // A file cut short (tcpdump stopped mid-write) keeps its complete records.
  for (let at = 24; at + 16 <= file.length;) {
    const length = u32(at + 8);
    if (at + 16 + length > file.length) break;
    frames.push(file.subarray(at + 16, at + 16 + length));
    at += 16 + length;
  }
  return frames;
}

export interface MarkedFrame {
  /** The L2 destination the flooded frame was sent to (ff:ff:ff:ff:ff:ff, 06:…, 01:00:5e:…). */
  dstMac: string;
  /** Bytes the request's payload carries (ping -p fills it with them). */
  marker: Buffer;
}

function macBytes(mac: string): Buffer {
  return Buffer.from(mac.replace(/[:-]/g, ''), 'hex');
}

/** The frame's EtherType and where its payload starts, past one optional 802.1Q tag. */
export function etherPayload(frame: Buffer): { type: number; at: number } | undefined {
  if (frame.length < ETH_HEADER) return undefined;
  const type = frame.readUInt16BE(12);
  if (type !== ETHERTYPE_VLAN) return { type, at: ETH_HEADER };
  return frame.length >= ETH_HEADER + 4 ? { type: frame.readUInt16BE(16), at: ETH_HEADER + 4 } : undefined;
}

/** Where the IPv4 header starts; undefined for anything else. */
export function ipv4Offset(frame: Buffer): number | undefined {
  const l3 = etherPayload(frame);
  return l3?.type === ETHERTYPE_IPV4 && frame.length >= l3.at + 20 ? l3.at : undefined;
}

/** Whether `frame` is the marked echo request itself, sent to the expected destination. Replies
 *  echo the payload and so carry the marker too; they are not copies of the frame. */
export function isMarkedFrame(frame: Buffer, want: MarkedFrame): boolean {
  if (!frame.subarray(0, 6).equals(macBytes(want.dstMac))) return false;
  const ip = ipv4Offset(frame);
  if (ip === undefined || frame[ip + 9] !== PROTO_ICMP) return false;
  const icmp = ip + ((frame[ip] ?? 0) & 0x0f) * 4;
  if (frame[icmp] !== ICMP_ECHO_REQUEST) return false;
  return frame.subarray(icmp + 8).includes(want.marker);
}

/** The Ethernet frame a geneve, vxlan or gre (TEB) packet carries; undefined for other packets. */
export function innerFrame(packet: Buffer): Buffer | undefined {
  const ip = ipv4Offset(packet);
  if (ip === undefined) return undefined;
  const l4 = ip + ((packet[ip] ?? 0) & 0x0f) * 4;
  const proto = packet[ip + 9];
  if (proto === PROTO_UDP && packet.length >= l4 + 16) {
    const port = packet.readUInt16BE(l4 + 2);
    const tunnel = l4 + 8;
    if (port === PORT_VXLAN) return packet.subarray(tunnel + 8);
    if (port === PORT_GENEVE) {
      if (packet.readUInt16BE(tunnel + 2) !== ETHERTYPE_TEB) return undefined;
      const options = ((packet[tunnel] ?? 0) & 0x3f) * 4;
      return packet.subarray(tunnel + 8 + options);
    }
    return undefined;
  }
  if (proto === PROTO_GRE && packet.length >= l4 + 4) {
    const flags = packet.readUInt16BE(l4);
    if (packet.readUInt16BE(l4 + 2) !== ETHERTYPE_TEB) return undefined;
    // Checksum, key and sequence number each add 4 bytes when their flag is set.
    const header = 4 + (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) + (flags & 0x1000 ? 4 : 0);
    return packet.subarray(l4 + header);
  }
  return undefined;
}

/** Copies of the marked frame in a capture taken where VMs or hosts receive. */
export function countDelivered(pcap: Buffer, want: MarkedFrame): number {
  return pcapFrames(pcap).filter((f) => isMarkedFrame(f, want)).length;
}

/** Tunnel packets in an underlay capture that carry the marked frame. */
export function countEncapsulated(pcap: Buffer, want: MarkedFrame): number {
  return pcapFrames(pcap).filter((p) => {
    const inner = innerFrame(p);
    return inner !== undefined && isMarkedFrame(inner, want);
  }).length;
}
