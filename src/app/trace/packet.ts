// The packet a predicted trace follows, and how ofproto/trace is asked about it: the flow text
// that describes it entering br-int on one port (a VM's, a tunnel with its VNI, a NIC with its
// VLAN, a router's port on a gateway).
import { TRACE_BROADCAST_MAC, TRACE_MULTICAST, TRACE_UNKNOWN_MAC, type TraceFrame } from '../../model/index.ts';

export const BROADCAST_MAC = TRACE_BROADCAST_MAC;
export const MULTICAST_MAC = TRACE_MULTICAST.mac;
export const MULTICAST_IP = TRACE_MULTICAST.ip;
export const UNKNOWN_MAC = TRACE_UNKNOWN_MAC;
const ZERO_MAC = '00:00:00:00:00:00';
/** A VM's first TTL (Linux's default). */
export const INITIAL_TTL = 64;
/** The source port of a traced TCP or UDP packet (any ephemeral port does). */
const EPHEMERAL_PORT = 40000;

export interface Packet {
  dlSrc: string;
  dlDst: string;
  proto: 'icmp' | 'arp' | 'tcp' | 'udp';
  nwSrc: string;
  nwDst: string;
  /** IPv4's TTL (not sent for ARP). */
  ttl: number;
  /** TCP or UDP destination port. */
  tpDst?: number;
}

/** Where a packet enters br-int, as ofproto/trace takes it: the interface (by name) and what
 *  came with it (a tunnel's VNI, a NIC's 802.1Q tag). */
export interface Ingress {
  inPort: string;
  tunId?: number;
  vlan?: number;
}

/** `icmp`, `arp`, `tcp:80`, `udp:53` as the packet's protocol and destination port. */
export function parseProto(proto: string): { proto: Packet['proto']; tpDst?: number } {
  const [name, port] = proto.split(':');
  if (name === 'tcp' || name === 'udp') return { proto: name, tpDst: Number(port) };
  return { proto: name === 'arp' ? 'arp' : 'icmp' };
}

/** The packet with its destination MAC (and for multicast its group address) set by a BUM frame kind. */
export function withFrame(packet: Packet, frame: TraceFrame | undefined): Packet {
  switch (frame) {
    case 'broadcast':
      return { ...packet, dlDst: BROADCAST_MAC };
    case 'multicast':
      return { ...packet, dlDst: MULTICAST_MAC, nwDst: MULTICAST_IP };
    case 'unknown':
      return { ...packet, dlDst: UNKNOWN_MAC };
    default:
      return packet;
  }
}

/** Whether a MAC is a group address (broadcast or multicast): no router routes it. */
export const isGroupMac = (mac: string): boolean => (parseInt(mac.slice(0, 2), 16) & 1) === 1;

/** The flow ofproto/trace is given: the packet entering at `ingress`. Port names are accepted
 *  in place of OpenFlow port numbers, so no lookup is needed before the trace. */
export function flowText(packet: Packet, ingress: Ingress): string {
  const fields = [`in_port=${ingress.inPort}`];
  if (ingress.tunId !== undefined) fields.push(`tun_id=${ingress.tunId}`);
  if (ingress.vlan !== undefined) fields.push(`dl_vlan=${ingress.vlan}`);
  fields.push(`dl_src=${packet.dlSrc}`, `dl_dst=${packet.dlDst}`);
  switch (packet.proto) {
    case 'arp':
      fields.push(
        'arp',
        'arp_op=1',
        `arp_spa=${packet.nwSrc}`,
        `arp_tpa=${packet.nwDst}`,
        `arp_sha=${packet.dlSrc}`,
        `arp_tha=${ZERO_MAC}`,
      );
      break;
    case 'icmp':
      fields.push('icmp', `nw_src=${packet.nwSrc}`, `nw_dst=${packet.nwDst}`, `nw_ttl=${packet.ttl}`, 'icmp_type=8', 'icmp_code=0');
      break;
    case 'tcp':
    case 'udp':
      fields.push(packet.proto, `nw_src=${packet.nwSrc}`, `nw_dst=${packet.nwDst}`, `nw_ttl=${packet.ttl}`);
      // OVS's tp_src and tp_dst are TCP's: UDP's ports are udp_src and udp_dst.
      fields.push(`${packet.proto}_src=${EPHEMERAL_PORT}`, `${packet.proto}_dst=${packet.tpDst ?? 0}`);
      break;
  }
  return fields.join(',');
}
