import { describe, expect, test } from 'vitest';
import { countDelivered, countEncapsulated, innerFrame, isMarkedFrame, pcapFrames } from './pcap.ts';

const marker = Buffer.from('6e766c61622d3031', 'hex');
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

function ipv4(proto: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + payload.length, 2);
  header[8] = 64;
  header[9] = proto;
  return Buffer.concat([header, payload]);
}

function echo(type: number, data: Buffer): Buffer {
  const icmp = Buffer.alloc(8);
  icmp[0] = type;
  return ipv4(1, Buffer.concat([icmp, data]));
}

function ethernet(dst: string, type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(14);
  Buffer.from(dst.replace(/:/g, ''), 'hex').copy(header, 0);
  Buffer.from('020000000011', 'hex').copy(header, 6);
  header.writeUInt16BE(type, 12);
  return Buffer.concat([header, payload]);
}

const data = Buffer.concat([Buffer.alloc(16), marker, marker, marker]);
const request = ethernet(BROADCAST, 0x0800, echo(8, data));
const reply = ethernet(BROADCAST, 0x0800, echo(0, data));

function pcap(frames: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  return Buffer.concat([
    header,
    ...frames.flatMap((f) => {
      const rec = Buffer.alloc(16);
      rec.writeUInt32LE(f.length, 8);
      rec.writeUInt32LE(f.length, 12);
      return [rec, f];
    }),
  ]);
}

function udp(port: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(54321, 0);
  header.writeUInt16BE(port, 2);
  return ipv4(17, Buffer.concat([header, payload]));
}

describe('pcap', () => {
  test('reads the frames of a pcap file, keeping only complete records', () => {
    const file = pcap([request, reply]);
    expect(pcapFrames(file)).toHaveLength(2);
    expect(pcapFrames(file.subarray(0, file.length - 3))).toHaveLength(1);
    expect(pcapFrames(Buffer.alloc(0))).toEqual([]);
  });

  test('a marked request to the expected destination counts; a reply, another MAC or another marker does not', () => {
    const want = { dstMac: BROADCAST, marker };
    expect(isMarkedFrame(request, want)).toBe(true);
    expect(isMarkedFrame(reply, want)).toBe(false);
    expect(isMarkedFrame(request, { dstMac: '06:00:00:00:00:01', marker })).toBe(false);
    expect(isMarkedFrame(request, { dstMac: BROADCAST, marker: Buffer.from('0102030405060708', 'hex') })).toBe(false);
    expect(countDelivered(pcap([request, reply, request]), want)).toBe(2);
  });

  test('an 802.1Q-tagged frame is read past its tag', () => {
    const tagged = Buffer.concat([request.subarray(0, 12), Buffer.from([0x81, 0, 0, 10]), request.subarray(12)]);
    expect(isMarkedFrame(tagged, { dstMac: BROADCAST, marker })).toBe(true);
  });

  test('inner frames of geneve (with options), vxlan and gre-TEB packets', () => {
    const geneve = Buffer.alloc(8 + 8);
    geneve[0] = 2; // two 4-byte words of options
    geneve.writeUInt16BE(0x6558, 2);
    const vxlan = Buffer.alloc(8);
    const gre = Buffer.alloc(8);
    gre.writeUInt16BE(0x2000, 0); // key present
    gre.writeUInt16BE(0x6558, 2);
    const outer = [
      ethernet('02:00:00:00:00:aa', 0x0800, udp(6081, Buffer.concat([geneve, request]))),
      ethernet('02:00:00:00:00:aa', 0x0800, udp(4789, Buffer.concat([vxlan, request]))),
      ethernet('02:00:00:00:00:aa', 0x0800, ipv4(47, Buffer.concat([gre, request]))),
      ethernet('02:00:00:00:00:aa', 0x0800, udp(4789, Buffer.concat([vxlan, reply]))),
      ethernet('02:00:00:00:00:aa', 0x0800, udp(53, request)),
    ];
    expect(innerFrame(outer[0]!)?.equals(request)).toBe(true);
    expect(innerFrame(outer[4]!)).toBeUndefined();
    expect(countEncapsulated(pcap(outer), { dstMac: BROADCAST, marker })).toBe(3);
  });
});
