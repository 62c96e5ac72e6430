// What crosses a lab's underlay while a test acts, read inside the tunnels: tcpdump on every
// transport node's underlay NIC, each direction apart (captures.ts), each packet decoded down to
// its inner ICMP, ARP or BFD. A packet is a node's own when it is addressed to its VTEP (in) or
// sent from it (out); a capture is promiscuous, so one meant for another node that the underlay
// bridge delivered there anyway (flooded) is kept apart and counted.
import { formatIp } from '../../../src/model/index.ts';
import { underlayNic, type CapturePoint } from '../../../src/app/lab-driver/capture-point.ts';
import { startCaptures, TUNNEL_FILTER, type CaptureSpec } from '../../../src/app/lab-driver/captures.ts';
import { etherPayload, innerFrame, ipv4Offset, pcapFrames } from '../../../src/app/lab-driver/pcap.ts';
import type { TestLab } from './harness.ts';

const ETHERTYPE_ARP = 0x0806;
const PROTO_ICMP = 1;
const PROTO_UDP = 17;
const PORT_BFD = 3784;
const PORT_GENEVE = 6081;

export type Inner =
  | { kind: 'icmp'; src: string; dst: string; type: number; ttl: number; srcMac: string; dstMac: string }
  | { kind: 'arp'; op: number; spa: string; tpa: string; sha: string }
  | { kind: 'bfd' }
  | { kind: 'other' };

export interface TunnelPacket {
  node: string;
  direction: 'in' | 'out';
  /** Addressed to this node's VTEP (in) or sent from it (out); false: meant for another node. */
  own: boolean;
  /** The Geneve VNI; undefined for another encap. */
  vni?: number;
  inner: Inner;
}

const mac = (b: Buffer, at: number) => [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
const ip = (b: Buffer, at: number) => formatIp(b.readUInt32BE(at));

/** An Ethernet frame's ICMP, ARP or BFD content. */
export function decode(frame: Buffer): Inner {
  const l3 = etherPayload(frame);
  if (l3?.type === ETHERTYPE_ARP && frame.length >= l3.at + 28) {
    const a = l3.at;
    return { kind: 'arp', op: frame.readUInt16BE(a + 6), sha: mac(frame, a + 8), spa: ip(frame, a + 14), tpa: ip(frame, a + 24) };
  }
  const at = ipv4Offset(frame);
  if (at === undefined) return { kind: 'other' };
  const l4 = at + ((frame[at] ?? 0) & 0x0f) * 4;
  // BFD between tunnel ends rides inside the tunnels too: the sessions' keepalives.
  if (frame[at + 9] === PROTO_UDP && frame.length >= l4 + 4 && frame.readUInt16BE(l4 + 2) === PORT_BFD) return { kind: 'bfd' };
  if (frame[at + 9] !== PROTO_ICMP) return { kind: 'other' };
  return {
    kind: 'icmp',
    src: ip(frame, at + 12),
    dst: ip(frame, at + 16),
    ttl: frame[at + 8] ?? 0,
    type: frame[l4] ?? -1,
    dstMac: mac(frame, 0),
    srcMac: mac(frame, 6),
  };
}

function tunnelPacket(node: string, vtep: string, direction: 'in' | 'out', packet: Buffer): TunnelPacket | undefined {
  const at = ipv4Offset(packet);
  const inner = innerFrame(packet);
  if (at === undefined || inner === undefined) return undefined;
  const udp = at + ((packet[at] ?? 0) & 0x0f) * 4;
  const geneve = packet[at + 9] === PROTO_UDP && packet.readUInt16BE(udp + 2) === PORT_GENEVE;
  return {
    node,
    direction,
    own: ip(packet, direction === 'in' ? at + 16 : at + 12) === vtep,
    ...(geneve ? { vni: packet.readUIntBE(udp + 8 + 4, 3) } : {}),
    inner: decode(inner),
  };
}

export interface Wire {
  tunnel: TunnelPacket[];
  /** The frames each extra capture point received, decoded. */
  at: Map<string, Inner[]>;
}

let captures = 0;

/**
 * Captures every transport node's underlay NIC, both ways, and what `extra` points receive
 * (`filter` there), while `action` runs; returns what they saw.
 */
export async function onTheWire(
  lab: TestLab,
  action: () => Promise<unknown>,
  extra: { point: CapturePoint; filter: string }[] = [],
): Promise<Wire> {
  const nodes = lab.plan.transportNodes;
  const nics = await Promise.all(nodes.map((n) => underlayNic(lab.runtime, lab.container(n.name))));
  const specs: CaptureSpec[] = nodes.flatMap((n, i) =>
    (['in', 'out'] as const).map((direction) => ({
      label: `${n.name}:${direction}`,
      point: { label: n.name, container: lab.container(n.name), iface: nics[i]! },
      direction,
      filter: TUNNEL_FILTER,
    })),
  );
  specs.push(...extra.map((e) => ({ label: e.point.label, point: e.point, direction: 'in' as const, filter: e.filter })));
  const running = await startCaptures(lab.runtime, `droute-${process.pid}-${captures++}`, specs);
  try {
    // tcpdump says it listens a moment before it sees packets: an action's first packet (an ARP)
    // must not fall in between.
    await new Promise((r) => setTimeout(r, 500));
    await action();
  } finally {
    // The last replies are on their way when the action returns.
    await new Promise((r) => setTimeout(r, 300));
  }
  const files = await running.stop();
  const wire: Wire = { tunnel: [], at: new Map() };
  for (const f of files) {
    if (!f.pcap) throw new Error(`capture ${f.label}: ${f.error}`);
    const frames = pcapFrames(f.pcap);
    const [name, direction] = f.label.split(':') as [string, 'in' | 'out' | undefined];
    const node = nodes.find((n) => n.name === name);
    if (node && direction) {
      for (const p of frames) {
        const t = tunnelPacket(name, node.underlayIp, direction, p);
        if (t) wire.tunnel.push(t);
      }
    } else wire.at.set(f.label, frames.map(decode));
  }
  return wire;
}

/** An ICMP echo between two addresses: type 8 from `src`, or type 0 back. */
export const echo = (src: string, dst: string, type: 8 | 0) => (i: Inner) =>
  i.kind === 'icmp' && i.type === type && i.src === src && i.dst === dst;

/** Per node, the own tunnel packets each way whose inner frame matches, e.g. `{ hv1: { in: 0, out: 20 } }`. */
export function perNode(wire: Wire, nodes: readonly string[], match: (i: Inner) => boolean): Record<string, { in: number; out: number }> {
  const counts = Object.fromEntries(nodes.map((n) => [n, { in: 0, out: 0 }]));
  for (const t of wire.tunnel) if (t.own && match(t.inner)) counts[t.node]![t.direction]++;
  return counts;
}

/** Tunnel packets seen at a NIC they were not addressed to (flooded by the underlay bridge). */
export const flooded = (wire: Wire, match: (i: Inner) => boolean) => wire.tunnel.filter((t) => !t.own && match(t.inner)).length;

/** perNode as one line: `hv1 out 20, hv2 in 20, hv3 0, …`. */
export function countsLine(counts: Record<string, { in: number; out: number }>): string {
  return Object.entries(counts)
    .map(([n, c]) => (c.in || c.out ? `${n}${c.in ? ` in ${c.in}` : ''}${c.out ? ` out ${c.out}` : ''}` : `${n} 0`))
    .join(', ');
}
