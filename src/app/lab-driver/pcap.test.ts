import { describe, expect, test } from 'vitest';
import { countDelivered, countEncapsulated, innerFrame, isMarkedFrame, pcapFrames } from './pcap.ts';
import { ethernet, ipv4, pcap, udp } from './pcap-test-helpers.ts';

const marker = Buffer.from('6e766c61622d3031', 'hex');
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

function echo(type: number, data: Buffer): Buffer {
  const icmp = Buffer.alloc(8);
  icmp[0] = type;
  return ipv4(1, Buffer.concat([icmp, data]));
}

const data = Buffer.concat([Buffer.alloc(16), marker, marker, marker]);
const request = ethernet(BROADCAST, 0x0800, echo(8, data));
const reply = ethernet(BROADCAST, 0x0800, echo(0, data));

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
