// Answers to reject rules: the reply frames (a reset to a SYN and to a segment with ACK, an ICMP
// port unreachable quoting the header and 8 bytes, nothing to a reset, an ICMP error, ARP,
// broadcast or a later fragment), the packet-out for each direction, and the rate limit.
import { describe, expect, it } from 'vitest';
import { act, Port, type OpenFlowConnection, type OpenFlowController, type PacketIn } from '../../openflow/index.ts';
import { cookie } from '../pipeline/ids.ts';
import { CookieKind, From, Table } from '../pipeline/index.ts';
import { buildFrame, checksum, type FrameSpec } from '../traceflow/packet.ts';
import { rejectReply } from './reply-frame.ts';
import { RejectResponder, rejectAnswer } from './responder.ts';
import { TokenBucket } from './token-bucket.ts';

const A = { mac: '02:00:00:00:00:0a', ip: '10.0.0.10' };
const B = { mac: '02:00:00:00:00:0b', ip: '10.0.0.11' };
const frame = (payload: FrameSpec['payload']) => buildFrame({ ethSrc: A.mac, ethDst: B.mac, payload });
const syn = () => frame({ kind: 'tcp', src: A.ip, dst: B.ip, port: 80 });
const udp = () => frame({ kind: 'udp', src: A.ip, dst: B.ip, port: 53 });
const macAt = (b: Buffer, at: number) => [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
const ipAt = (b: Buffer, at: number) => [...b.subarray(at, at + 4)].join('.');
/** The TCP or ICMP checksum over the reply's transport part (with TCP's pseudo-header) is 0 when right. */
function transportChecksum(reply: Buffer): number {
  const ip = reply.subarray(14, 14 + reply.readUInt16BE(16));
  const l4 = ip.subarray(20);
  if (ip[9] !== 6) return checksum(l4);
  const pseudo = Buffer.alloc(12);
  ip.copy(pseudo, 0, 12, 20);
  pseudo.writeUInt8(6, 9);
  pseudo.writeUInt16BE(l4.length, 10);
  return checksum(pseudo, l4);
}

describe('reject reply frames', () => {
  it('answers a SYN with a reset from its destination acknowledging seq + 1', () => {
    const reply = rejectReply(syn())!;
    expect(macAt(reply, 0)).toBe(A.mac);
    expect(macAt(reply, 6)).toBe(B.mac);
    expect([ipAt(reply, 26), ipAt(reply, 30), reply[23]]).toEqual([B.ip, A.ip, 6]);
    expect(checksum(reply.subarray(14, 34))).toBe(0);
    const tcp = reply.subarray(34, 54);
    expect([tcp.readUInt16BE(0), tcp.readUInt16BE(2)]).toEqual([80, 33434]);
    expect(tcp[13]).toBe(0x14); // RST|ACK
    expect(tcp.readUInt32BE(4)).toBe(0);
    expect(tcp.readUInt32BE(8)).toBe(0x74726163 + 1);
    expect(transportChecksum(reply)).toBe(0);
    expect(reply.length).toBe(60);
  });

  it('answers a segment carrying ACK with a bare reset at its ack number, and nothing to a reset', () => {
    const seg = syn();
    seg.writeUInt32BE(0x01020304, 14 + 20 + 8);
    seg.writeUInt8(0x10, 14 + 20 + 13);
    const reply = rejectReply(seg)!;
    expect(reply[14 + 20 + 13]).toBe(0x04);
    expect(reply.readUInt32BE(14 + 20 + 4)).toBe(0x01020304);
    seg.writeUInt8(0x04, 14 + 20 + 13);
    expect(rejectReply(seg)).toBeUndefined();
  });

  it('answers UDP and an echo request with an ICMP port unreachable quoting the header and 8 bytes', () => {
    for (const original of [udp(), frame({ kind: 'icmp', src: A.ip, dst: B.ip })]) {
      const reply = rejectReply(original)!;
      expect([ipAt(reply, 26), ipAt(reply, 30), reply[23]]).toEqual([B.ip, A.ip, 1]);
      const icmp = reply.subarray(34, 14 + reply.readUInt16BE(16));
      expect([icmp[0], icmp[1]]).toEqual([3, 3]);
      expect(icmp.subarray(8)).toEqual(original.subarray(14, 14 + 28));
      expect(transportChecksum(reply)).toBe(0);
    }
  });

  it('answers nothing else: an ICMP error, ARP, a broadcast, a later fragment', () => {
    const error = rejectReply(udp())!;
    expect(rejectReply(error)).toBeUndefined();
    expect(rejectReply(frame({ kind: 'arp', spa: A.ip, tpa: B.ip }))).toBeUndefined();
    const broadcast = buildFrame({ ethSrc: A.mac, ethDst: 'ff:ff:ff:ff:ff:ff', payload: { kind: 'udp', src: A.ip, dst: B.ip, port: 53 } });
    expect(rejectReply(broadcast)).toBeUndefined();
    const fragment = udp();
    fragment.writeUInt16BE(0x0010, 14 + 6);
    expect(rejectReply(fragment)).toBeUndefined();
  });
});

const pin = (tableId: number, match: PacketIn['match'], data = syn(), kind: number = CookieKind.ACL_RULE): PacketIn => ({
  type: 'packet_in',
  xid: 0,
  bufferId: 0xffffffff,
  totalLen: data.length,
  reason: 1,
  tableId,
  cookie: cookie(kind as CookieKind, 100, 12345),
  match,
  data,
});

describe('reject packet-outs', () => {
  it('ingress: from the destination port, on its switch as a VM, into L2 forwarding', () => {
    const out = rejectAnswer(
      pin(Table.ACL_IN_DECIDE, [
        { field: 'in_port', value: 10 },
        { field: 'metadata', value: 100n },
        { field: 'reg5', value: 2 },
      ]),
    )!;
    expect(out.inPort).toBe(2);
    expect(out.actions).toEqual([
      act.setField({ field: 'metadata', value: 100n }),
      act.setField({ field: 'reg6', value: From.VM }),
      act.resubmit(Table.L2),
    ]);
    expect(out.data).toEqual(rejectReply(syn()));
  });

  it('egress: from the controller straight out of the sender port; other cookies and tables get nothing', () => {
    const out = rejectAnswer(pin(Table.ACL_OUT_DECIDE, [{ field: 'in_port', value: 1 }], udp()))!;
    expect(out.inPort).toBe(Port.CONTROLLER);
    expect(out.actions).toEqual([act.output(1)]);
    expect(rejectAnswer(pin(Table.ACL_OUT_DECIDE, [{ field: 'in_port', value: 1 }], syn(), CookieKind.ACL_DEFAULT))).toBeUndefined();
    expect(rejectAnswer(pin(Table.L2, [{ field: 'in_port', value: 1 }]))).toBeUndefined();
  });

  it('answers a flood at the rate limit only, per switch, and only as master', () => {
    const sent: unknown[] = [];
    const listeners: ((p: PacketIn) => void)[] = [];
    const sw = {
      isOpen: true,
      remoteAddress: 'hv1',
      on: (_: string, l: (p: PacketIn) => void) => listeners.push(l),
      send: (m: unknown) => sent.push(m),
    } as unknown as OpenFlowConnection;
    let master = false;
    const responder = new RejectResponder({ isMaster: () => master, rate: { perSecond: 10, burst: 5 } });
    responder.attach({ on: () => undefined, connections: [sw] } as unknown as OpenFlowController);
    const egress = pin(Table.ACL_OUT_DECIDE, [{ field: 'in_port', value: 1 }]);
    listeners[0]!(egress);
    expect(sent).toHaveLength(0);
    master = true;
    for (let i = 0; i < 100; i++) listeners[0]!(egress);
    expect(sent).toHaveLength(5);
    expect(responder.counts).toEqual({ answered: 5, limited: 95 });
  });

  it('refills its bucket with time', () => {
    let now = 0;
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    now = 100;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now = 10_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });

  it("answers a distributed router's TTL run out with time exceeded from its address, through the switch's L2 lookup", () => {
    const router = 0x0a000001; // 10.0.0.1, in reg4
    const out = rejectAnswer(
      pin(
        Table.L2,
        [
          { field: 'in_port', value: 3 },
          { field: 'metadata', value: 100n },
          { field: 'reg4', value: router },
        ],
        udp(),
        CookieKind.ROUTER_TTL,
      ),
    )!;
    expect(out.actions).toEqual([
      act.setField({ field: 'metadata', value: 100n }),
      act.setField({ field: 'reg6', value: From.TUNNEL }),
      act.resubmit(Table.L2),
    ]);
    const reply = out.data;
    expect([macAt(reply, 0), macAt(reply, 6)]).toEqual([A.mac, B.mac]);
    expect([ipAt(reply, 26), ipAt(reply, 30), reply[34], reply[35]]).toEqual(['10.0.0.1', A.ip, 11, 0]);
    expect(transportChecksum(reply)).toBe(0);
  });
});
