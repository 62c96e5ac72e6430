import { describe, expect, test } from 'vitest';
import { ethernet, geneve, pcap } from './pcap-test-helpers.ts';
import { BROADCAST_MAC } from './pcap.ts';
import { checksum, countSpoofed, identifyFrame, spoofFrames, type TaggedFrame } from './spoof-frames.ts';

const marker = Buffer.from('6e766c6162737066', 'hex');
const sender = { mac: '02:00:00:00:01:0b', ip: '10.0.1.11' };
const target = { mac: '02:00:00:00:01:0c', ip: '10.0.1.12' };

const mac = (b: Buffer, at: number) => [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
const ip = (b: Buffer, at: number) => [...b.subarray(at, at + 4)].join('.');
const find = (frames: TaggedFrame[], role: string, kind: string) => frames.find((f) => f.role === role && f.kind === kind)!.bytes;

describe('the frames a spoof step sends', () => {
  const byIp = spoofFrames({ sender, target, forged: { ip: '10.0.1.99' }, count: 3, marker });
  const byMac = spoofFrames({ sender, target, forged: { mac: '02:00:00:00:99:99' }, count: 3, marker });

  test('per role (forged, then legitimate) an ICMP echo request and an ARP request per count', () => {
    expect(byIp.map((f) => `${f.role}/${f.kind}/${f.index}`)).toEqual([
      ...['forged', 'legit'].flatMap((r) => [0, 1, 2].map((i) => `${r}/icmp/${i}`).concat([0, 1, 2].map((i) => `${r}/arp/${i}`))),
    ]);
  });

  test('a forged IPv4 source: the echo request and the ARP request say 10.0.1.99, from the port MAC', () => {
    const echo = find(byIp, 'forged', 'icmp');
    expect([mac(echo, 0), mac(echo, 6), echo.readUInt16BE(12)]).toEqual([target.mac, sender.mac, 0x0800]);
    expect([ip(echo, 26), ip(echo, 30)]).toEqual(['10.0.1.99', '10.0.1.12']);
    // Valid checksums: a checksum over a header that holds its checksum is 0.
    expect(checksum(echo.subarray(14, 34))).toBe(0);
    expect(checksum(echo.subarray(34))).toBe(0);
    const arp = find(byIp, 'forged', 'arp');
    expect(arp.length).toBe(60);
    expect([mac(arp, 0), mac(arp, 6), arp.readUInt16BE(12), arp.readUInt16BE(20)]).toEqual([BROADCAST_MAC, sender.mac, 0x0806, 1]);
    expect([mac(arp, 22), ip(arp, 28), ip(arp, 38)]).toEqual([sender.mac, '10.0.1.99', '10.0.1.12']);
  });

  test('a forged MAC: the frames come from it, its ARP request is a probe (sender 0.0.0.0) so it teaches no one', () => {
    const echo = find(byMac, 'forged', 'icmp');
    expect([mac(echo, 6), ip(echo, 26)]).toEqual(['02:00:00:00:99:99', sender.ip]);
    const arp = find(byMac, 'forged', 'arp');
    expect([mac(arp, 6), mac(arp, 22), ip(arp, 28)]).toEqual(['02:00:00:00:99:99', '02:00:00:00:99:99', '0.0.0.0']);
  });

  test('the legitimate frames carry the port own addresses', () => {
    for (const frames of [byIp, byMac]) {
      const echo = find(frames, 'legit', 'icmp');
      const arp = find(frames, 'legit', 'arp');
      expect([mac(echo, 6), ip(echo, 26), mac(arp, 6), mac(arp, 22), ip(arp, 28)]).toEqual([
        sender.mac,
        sender.ip,
        sender.mac,
        sender.mac,
        sender.ip,
      ]);
    }
  });

  test('every frame is identified by its tag; a reply echoing it, another marker or another frame is not', () => {
    for (const f of byIp) expect(identifyFrame(f.bytes, marker)).toEqual({ role: f.role, kind: f.kind, index: f.index });
    const echo = Buffer.from(find(byIp, 'legit', 'icmp'));
    const reply = Buffer.from(echo);
    reply[34] = 0; // echo reply
    expect(identifyFrame(reply, marker)).toBeUndefined();
    expect(identifyFrame(echo, Buffer.from('0102030405060708', 'hex'))).toBeUndefined();
    const arpReply = Buffer.from(find(byIp, 'legit', 'arp'));
    arpReply.writeUInt16BE(2, 20);
    expect(identifyFrame(arpReply, marker)).toBeUndefined();
    expect(identifyFrame(ethernet(BROADCAST_MAC, 0x86dd, Buffer.alloc(60)), marker)).toBeUndefined();
  });
});

describe('counting a spoof step in captures', () => {
  const frames = spoofFrames({ sender, target, forged: { ip: '10.0.1.99' }, count: 2, marker });
  const forged = frames.filter((f) => f.role === 'forged').map((f) => f.bytes);
  const legit = frames.filter((f) => f.role === 'legit').map((f) => f.bytes);

  test('copies per place, distinct frames per role across places, tunnel packets read inside', () => {
    const count = countSpoofed(
      [
        // web2 got every forged frame, and one of them twice.
        { label: 'web2', pcap: pcap([...forged, forged[0]!, ...legit]), tunnelled: false },
        { label: 'web3', pcap: pcap([forged[2]!]), tunnelled: false },
        { label: 'hv1-underlay', pcap: pcap([...forged.map(geneve), geneve(legit[0]!), forged[1]!]), tunnelled: true },
      ],
      marker,
    );
    expect(count).toEqual({ copies: { web2: 5, web3: 1, 'hv1-underlay': 4 }, distinct: { forged: 4, legit: 4 } });
  });

  test('nothing seen: no copies, no frames', () => {
    const count = countSpoofed([{ label: 'hv1-underlay', pcap: pcap([]), tunnelled: true }], marker);
    expect(count).toEqual({ copies: { 'hv1-underlay': 0 }, distinct: { forged: 0, legit: 0 } });
  });
});
