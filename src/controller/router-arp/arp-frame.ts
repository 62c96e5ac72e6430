// ARP as a distributed router without gateways speaks it through the controller (OVN's `arp`
// and `put_arp` actions): the request it sends for an address no port has, and the reply it
// learns a binding from. Pure bytes.

const ETH_ARP = 0x0806;
const ETH_IP = 0x0800;
const BROADCAST = Buffer.alloc(6, 0xff);
const ARP = { REQUEST: 1, REPLY: 2 } as const;

const macBytes = (mac: string) => Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
const macText = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
const ipText = (b: Buffer) => [...b].join('.');

function ipBytes(ip: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ip >>> 0);
  return b;
}

/** Who-has `target`, from the router (its MAC and address), broadcast; padded to 60 bytes. */
export function arpRequest(routerMac: string, routerIp: number, target: number): Buffer {
  const arp = Buffer.alloc(28);
  arp.writeUInt16BE(1, 0); // Ethernet
  arp.writeUInt16BE(ETH_IP, 2);
  arp.writeUInt8(6, 4);
  arp.writeUInt8(4, 5);
  arp.writeUInt16BE(ARP.REQUEST, 6);
  macBytes(routerMac).copy(arp, 8);
  ipBytes(routerIp).copy(arp, 14);
  ipBytes(target).copy(arp, 24);
  const type = Buffer.from([ETH_ARP >> 8, ETH_ARP & 0xff]);
  return Buffer.concat([BROADCAST, macBytes(routerMac), type, arp, Buffer.alloc(60 - 42)]);
}

/** The IPv4 destination of a frame, as a number; undefined when it is not IPv4. */
export function ipv4Destination(frame: Buffer): number | undefined {
  if (frame.length < 34 || frame.readUInt16BE(12) !== ETH_IP) return undefined;
  return frame.readUInt32BE(30);
}

/** The source MAC of a frame. */
export const frameSource = (frame: Buffer): string => macText(frame.subarray(6, 12));

/** The sender's binding in an ARP reply (untagged); undefined for anything else. */
export function arpReplySender(frame: Buffer): { ip: string; mac: string } | undefined {
  if (frame.length < 42 || frame.readUInt16BE(12) !== ETH_ARP) return undefined;
  const arp = frame.subarray(14);
  if (arp.readUInt16BE(2) !== ETH_IP || arp[4] !== 6 || arp[5] !== 4 || arp.readUInt16BE(6) !== ARP.REPLY) return undefined;
  const mac = macText(arp.subarray(8, 14));
  if ((arp[8]! & 1) !== 0 || mac === '00:00:00:00:00:00') return undefined; // no group or zero MAC
  return { ip: ipText(arp.subarray(14, 18)), mac };
}
