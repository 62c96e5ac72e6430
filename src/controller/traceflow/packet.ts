// The marked packet an injected trace sends, as bytes for a PACKET_OUT, and the mark itself as the
// shadow flows match it. IPv4 packets carry DSCP 63 (reserved for traces; ECN bits zero); ARP
// requests carry a magic target hardware address, where a request otherwise has zeros.
import type { OxmField } from '../../openflow/index.ts';
import { parseIp } from '../../model/index.ts';

/** The DSCP value of a trace's IPv4 packets. */
export const TRACE_DSCP = 0x3f;
/** The TTL a trace's IPv4 packets are sent with. */
export const TRACE_TTL = 64;
/** The target hardware address of a trace's ARP requests ("\x0atrace": locally administered, unicast). */
export const TRACE_ARP_THA = '0a:74:72:61:63:65';

export type MarkKind = 'ip' | 'arp';

const ETH_IP = 0x0800;
const ETH_ARP = 0x0806;

/** The mark as match fields, its eth_type first (a prerequisite of the field after it). */
export function markMatch(kind: MarkKind): OxmField[] {
  return kind === 'ip'
    ? [
        { field: 'eth_type', value: ETH_IP },
        { field: 'ip_dscp', value: TRACE_DSCP },
      ]
    : [
        { field: 'eth_type', value: ETH_ARP },
        { field: 'arp_tha', value: TRACE_ARP_THA },
      ];
}

/** What the packet carries above Ethernet. */
export type Payload =
  | { kind: 'arp'; spa: string; tpa: string }
  | { kind: 'icmp'; src: string; dst: string }
  | { kind: 'udp' | 'tcp'; src: string; dst: string; port: number };

export interface FrameSpec {
  ethSrc: string;
  ethDst: string;
  /** An 802.1Q tag (a host on a VLAN sends tagged frames). */
  vlan?: number;
  payload: Payload;
}

export const markOf = (p: Payload): MarkKind => (p.kind === 'arp' ? 'arp' : 'ip');

const mac = (text: string) => Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
const ip = (text: string) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(parseIp(text) ?? 0);
  return b;
};

/** The Internet checksum (RFC 1071) of some buffers, as if concatenated. */
export function checksum(...parts: Buffer[]): number {
  const all = Buffer.concat(parts);
  let sum = 0;
  for (let i = 0; i < all.length; i += 2) sum += (all[i]! << 8) + (i + 1 < all.length ? all[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// A source port for UDP and TCP traces (traceroute's first), and what ICMP and UDP carry.
const SOURCE_PORT = 33434;
const DATA = Buffer.from('nvlab traceflow');
const PROTO = { icmp: 1, tcp: 6, udp: 17 } as const;

function ipv4(p: Exclude<Payload, { kind: 'arp' }>): Buffer {
  const l4 = transport(p);
  const h = Buffer.alloc(20);
  h.writeUInt8(0x45, 0);
  h.writeUInt8(TRACE_DSCP << 2, 1); // ECN 0
  h.writeUInt16BE(20 + l4.length, 2);
  h.writeUInt16BE(0x7472, 4); // identification: "tr"
  h.writeUInt16BE(0x4000, 6); // don't fragment
  h.writeUInt8(TRACE_TTL, 8);
  h.writeUInt8(PROTO[p.kind], 9);
  ip(p.src).copy(h, 12);
  ip(p.dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, l4]);
}

function transport(p: Exclude<Payload, { kind: 'arp' }>): Buffer {
  if (p.kind === 'icmp') {
    const m = Buffer.concat([Buffer.from([8, 0, 0, 0, 0x74, 0x72, 0, 1]), DATA]); // echo request, id "tr", seq 1
    m.writeUInt16BE(checksum(m), 2);
    return m;
  }
  const pseudo = (length: number) => {
    const b = Buffer.alloc(12);
    ip(p.src).copy(b, 0);
    ip(p.dst).copy(b, 4);
    b.writeUInt8(PROTO[p.kind], 9);
    b.writeUInt16BE(length, 10);
    return b;
  };
  if (p.kind === 'udp') {
    const u = Buffer.concat([Buffer.alloc(8), DATA]);
    u.writeUInt16BE(SOURCE_PORT, 0);
    u.writeUInt16BE(p.port, 2);
    u.writeUInt16BE(u.length, 4);
    u.writeUInt16BE(checksum(pseudo(u.length), u) || 0xffff, 6);
    return u;
  }
  const t = Buffer.alloc(20); // a SYN
  t.writeUInt16BE(SOURCE_PORT, 0);
  t.writeUInt16BE(p.port, 2);
  t.writeUInt32BE(0x74726163, 4); // sequence number: "trac"
  t.writeUInt8(5 << 4, 12);
  t.writeUInt8(0x02, 13);
  t.writeUInt16BE(64240, 14);
  t.writeUInt16BE(checksum(pseudo(t.length), t), 16);
  return t;
}

function arp(src: string, p: Extract<Payload, { kind: 'arp' }>): Buffer {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(1, 0); // Ethernet
  a.writeUInt16BE(ETH_IP, 2);
  a.writeUInt8(6, 4);
  a.writeUInt8(4, 5);
  a.writeUInt16BE(1, 6); // request
  mac(src).copy(a, 8);
  ip(p.spa).copy(a, 14);
  mac(TRACE_ARP_THA).copy(a, 18);
  ip(p.tpa).copy(a, 24);
  return a;
}

/** The whole frame, padded to Ethernet's 60-byte minimum. */
export function buildFrame(spec: FrameSpec): Buffer {
  const tag = spec.vlan === undefined ? Buffer.alloc(0) : Buffer.from([0x81, 0x00, (spec.vlan >> 8) & 0x0f, spec.vlan & 0xff]);
  const type = Buffer.alloc(2);
  type.writeUInt16BE(spec.payload.kind === 'arp' ? ETH_ARP : ETH_IP);
  const body = spec.payload.kind === 'arp' ? arp(spec.ethSrc, spec.payload) : ipv4(spec.payload);
  const frame = Buffer.concat([mac(spec.ethDst), mac(spec.ethSrc), tag, type, body]);
  return frame.length >= 60 ? frame : Buffer.concat([frame, Buffer.alloc(60 - frame.length)]);
}
