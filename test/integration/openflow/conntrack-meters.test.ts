// A stateful firewall and a meter programmed through our library on a real ovs-vswitchd (3.1,
// userspace datapath, its own conntrack), between two network namespaces: A may open connections
// to B and B's replies pass; B may not open one to A. The flows and the meter read back (flow
// stats, meter config) decode to what we sent; a new connection from B is punted to us with its
// conntrack state and cookie, which is what a `reject` needs to answer it with a TCP reset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrame, checksum } from '../../../src/controller/traceflow/packet.ts';
import {
  act,
  ctState,
  dropBand,
  flowMod,
  inst,
  MeterFlags,
  meterMod,
  packetOut,
  Port,
  type FlowMod,
  type MeterMod,
  type OpenFlowConnection,
  type OutgoingMessage,
  type PacketIn,
} from '../../../src/openflow/index.ts';
import { startOfLab, type OfLab } from './of-lab.ts';
import { ECHO_PORT, echoServer, probe } from '../pipeline/netns-nodes.ts';
import { tcpConnect, tcpEchoServer, twoHosts, udpBurst, udpReceived, waitListening, type TwoHosts } from './two-hosts.ts';

const ZONE = 5;
const PUNT_COOKIE = 0x666n;
const IP = { field: 'eth_type', value: 0x0800 } as const;
const inPort = (port: number) => ({ field: 'in_port', value: port }) as const;
const MARKED = { field: 'ct_mark', value: 1, mask: 1 } as const;

/** Table 0: UDP from A through meter 1 (10 packets/s), all IPv4 through ct(zone=5) into table 1.
 *  Table 1: A's new connections committed with ct_mark 1 and sent to B; established ones of a
 *  marked connection pass both ways; B's new ones go to the controller; the rest is dropped. */
function firewall(): OutgoingMessage[] {
  return [
    meterMod({ meterId: 1, flags: MeterFlags.PKTPS | MeterFlags.BURST | MeterFlags.STATS, bands: [dropBand(10, 10)] }),
    flowMod({
      priority: 110,
      match: [inPort(1), IP, { field: 'ip_proto', value: 17 }],
      instructions: [inst.meter(1), inst.apply(act.ct({ zone: ZONE, table: 1 }))],
    }),
    flowMod({ priority: 100, match: [IP], instructions: [inst.apply(act.ct({ zone: ZONE, table: 1 }))] }),
    flowMod({
      tableId: 1,
      priority: 100,
      cookie: 0x101n,
      match: [inPort(1), IP, ctState('+trk+new')],
      instructions: [inst.apply(act.ct({ commit: true, zone: ZONE, exec: [act.setField({ field: 'ct_mark', value: 1 })] }), act.output(2))],
    }),
    flowMod({ tableId: 1, priority: 100, match: [inPort(1), IP, ctState('+trk+est'), MARKED], instructions: [inst.apply(act.output(2))] }),
    flowMod({ tableId: 1, priority: 100, match: [inPort(2), IP, ctState('+trk+est'), MARKED], instructions: [inst.apply(act.output(1))] }),
    flowMod({
      tableId: 1,
      priority: 50,
      cookie: PUNT_COOKIE,
      match: [inPort(2), IP, ctState('+trk+new-inv')],
      instructions: [inst.apply(act.output(Port.CONTROLLER))],
    }),
  ];
}

// What ovs-ofctl -O OpenFlow13 dump-flows --no-stats prints for firewall() (sorted).
const EXPECTED_FLOWS = [
  'priority=100,ip actions=ct(table=1,zone=5)',
  'priority=110,udp,in_port=1 actions=meter:1,ct(table=1,zone=5)',
  'cookie=0x101, table=1, priority=100,ct_state=+new+trk,ip,in_port=1 actions=ct(commit,zone=5,exec(set_field:0x1->ct_mark)),output:2',
  'table=1, priority=100,ct_state=+est+trk,ct_mark=0x1/0x1,ip,in_port=1 actions=output:2',
  'table=1, priority=100,ct_state=+est+trk,ct_mark=0x1/0x1,ip,in_port=2 actions=output:1',
  'cookie=0x666, table=1, priority=50,ct_state=+new-inv+trk,ip,in_port=2 actions=CONTROLLER:65535',
].sort();

const key = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

let lab: OfLab;
let hosts: TwoHosts;
let bridge: string;
let conn: OpenFlowConnection;
const punted: PacketIn[] = [];

beforeAll(async () => {
  lab = await startOfLab();
  ({ bridge, conn } = await lab.addSwitch(0x701n));
  hosts = await twoHosts(lab.ovs, bridge);
  conn.on('packetIn', (m) => {
    if (m.cookie === PUNT_COOKIE) punted.push(m);
  });
  await conn.install(firewall());
  tcpEchoServer(hosts, hosts.a, 8080);
  tcpEchoServer(hosts, hosts.b, 8080);
  echoServer(hosts.netns, hosts.a.ns, 'a');
  echoServer(hosts.netns, hosts.b.ns, 'b');
  await Promise.all([waitListening(hosts.a, 8080), waitListening(hosts.b, 8080)]);
}, 120_000);

afterAll(async () => {
  await hosts?.destroy();
  await lab?.stop();
});

describe('the firewall as OVS holds it', () => {
  it('dump-flows shows exactly the ct flows we installed, dump-meters our meter', async () => {
    expect(await lab.dumpFlows(bridge)).toEqual(EXPECTED_FLOWS);
    const meters = await lab.ovs.ofctl('dump-meters', bridge);
    expect(meters.replace(/\s+/g, ' ')).toContain('meter=1 pktps burst stats bands= type=drop rate=10 burst_size=10');
  });

  it('flow stats decode back to the flows we sent, ct() and ct_state masks included', async () => {
    const sent = firewall().filter((m): m is FlowMod => m.type === 'flow_mod');
    const stats = await conn.flowStats();
    expect(stats).toHaveLength(sent.length);
    for (const f of sent) {
      const s = stats.find(
        (x) => x.tableId === f.tableId && x.priority === f.priority && key(x.match.map(key).sort()) === key(f.match.map(key).sort()),
      );
      expect(s, `table ${f.tableId} priority ${f.priority}`).toBeDefined();
      const withMaxLen = f.instructions.map((i) =>
        i.type === 'apply_actions'
          ? { ...i, actions: i.actions.map((a) => (a.type === 'output' && a.maxLen === undefined ? { ...a, maxLen: 0 } : a)) }
          : i,
      );
      expect(s!.instructions).toEqual(withMaxLen);
      expect(s!.cookie).toBe(f.cookie);
    }
  });

  it('meter config decodes back to the meter we sent; the switch supports what it needs', async () => {
    const sent = firewall().find((m): m is MeterMod => m.type === 'meter_mod')!;
    expect(await conn.meterConfig()).toEqual([{ meterId: 1, flags: sent.flags, bands: sent.bands }]);
    expect(await conn.meterConfig(1)).toHaveLength(1);
    const features = await conn.meterFeatures();
    expect(features.maxMeter).toBeGreaterThan(0);
    expect(features.capabilities & sent.flags).toBe(sent.flags);
  });
});

describe('reflexive: replies pass, the other way is closed', () => {
  it('A opens a TCP connection to B and gets B’s reply; conntrack holds it in zone 5 with mark 1', async () => {
    expect(await tcpConnect(hosts.a, hosts.b.ip, 8080)).toBe('open');
    const entries = (await lab.ovs.appctl('dpctl/dump-conntrack', '-m')).split('\n');
    const ours = entries.filter((l) => l.includes(`dst=${hosts.b.ip}`) && l.includes('dport=8080'));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((l) => l.includes(`zone=${ZONE}`) && l.includes('mark=1'))).toBe(true);
  });

  it('UDP the same way: A’s datagrams to B are answered; B’s to A are not', async () => {
    // Three probes, within the burst of the meter on A's UDP.
    const fromA = await probe(hosts.a.ns, hosts.b.ip, 3, 20, 500);
    expect(fromA.probes.map((p) => p.from)).toEqual(['b', 'b', 'b']);
    const fromB = await probe(hosts.b.ns, hosts.a.ip, 3, 20, 500);
    expect(fromB.probes.map((p) => p.from)).toEqual([undefined, undefined, undefined]);
  });

  it('B’s new connection to A is filtered: punted to us as +new+trk in zone 5 with the flow’s cookie', async () => {
    punted.length = 0;
    expect(await tcpConnect(hosts.b, hosts.a.ip, 8080)).toBe('filtered');
    const syn = punted.find((m) => m.data.length >= 54 && m.data.readUInt8(23) === 6);
    expect(syn, 'a punted TCP packet').toBeDefined();
    expect(syn!).toMatchObject({ reason: 1, tableId: 1, cookie: PUNT_COOKIE });
    expect(syn!.match).toContainEqual({ field: 'in_port', value: 2 });
    expect(syn!.match).toContainEqual({ field: 'ct_state', value: 0x21, mask: 0xff }); // new|trk, as OVS masks it
    expect(syn!.match).toContainEqual({ field: 'ct_zone', value: ZONE });
    expect(syn!.data.subarray(26, 30).join('.')).toBe(hosts.b.ip);
  });

  it('answering the punted SYN with a TCP reset (packet-out) makes it refused: what `reject` does', async () => {
    const reply = (m: PacketIn) => {
      if (m.cookie !== PUNT_COOKIE || m.data.readUInt8(23) !== 6) return;
      const port = m.match.find((f) => f.field === 'in_port');
      conn.send(packetOut(tcpReset(m.data), [act.output(Number(port!.field === 'in_port' ? port!.value : 0))]));
    };
    conn.on('packetIn', reply);
    try {
      expect(await tcpConnect(hosts.b, hosts.a.ip, 8080)).toBe('refused');
    } finally {
      conn.off('packetIn', reply);
    }
  });
});

describe('packet-out and conntrack', () => {
  it('a packet-out through the table as from A’s port walks ct(): committed, answered by B, the reply back at A', async () => {
    // (Measured on OVS 3.1: one whose in_port is a patch port, or that crosses one, stops at ct().)
    const frame = buildFrame({
      ethSrc: hosts.a.mac,
      ethDst: hosts.b.mac,
      payload: { kind: 'udp', src: hosts.a.ip, dst: hosts.b.ip, port: ECHO_PORT },
    });
    // UDP datagrams, not frames: a late segment of the TCP tests before reached B once.
    const before = [await udpReceived(hosts.a), await udpReceived(hosts.b)];
    await conn.install([packetOut(frame, [act.output(Port.TABLE)], hosts.a.ofport)]);
    await new Promise((r) => setTimeout(r, 300));
    expect([(await udpReceived(hosts.a)) - before[0]!, (await udpReceived(hosts.b)) - before[1]!]).toEqual([1, 1]);
    // 33434: buildFrame's source port.
    const entry = (await lab.ovs.appctl('dpctl/dump-conntrack', '-m'))
      .split('\n')
      .filter((l) => l.includes(`dport=${ECHO_PORT}`) && l.includes('sport=33434'));
    expect(entry).toHaveLength(1);
    expect(entry[0]).toContain(`zone=${ZONE}`);
    expect(entry[0]).toContain('mark=1');
  });
});

describe('the meter limits what it meters', () => {
  it('100 UDP datagrams at once from A at 10 packets/s (burst 10): most dropped, counted by the band', async () => {
    const before = await udpReceived(hosts.b);
    const statsBefore = (await conn.meterStats(1))[0]!;
    await udpBurst(hosts.a, hosts.b.ip, ECHO_PORT + 1, 100);
    await new Promise((r) => setTimeout(r, 300));
    // Datagrams, not frames: a late segment of an earlier test's connection may arrive meanwhile.
    const delivered = (await udpReceived(hosts.b)) - before;
    const stats = (await conn.meterStats(1))[0]!;
    expect(stats.flowCount).toBe(1);
    expect(Number(stats.packetInCount - statsBefore.packetInCount)).toBe(100);
    const dropped = Number(stats.bands[0]!.packetCount - statsBefore.bands[0]!.packetCount);
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(40);
    expect(dropped + delivered).toBe(100);
    // TCP from A is not metered: a connection still opens.
    expect(await tcpConnect(hosts.a, hosts.b.ip, 8080)).toBe('open');
  });
});

describe('meter modify and delete', () => {
  it('modify changes the band as meter config reports it; delete removes the meter and the flows that use it', async () => {
    const band = dropBand(1000, 100);
    await conn.install([meterMod({ command: 'modify', meterId: 1, flags: MeterFlags.PKTPS | MeterFlags.BURST, bands: [band] })]);
    expect(await conn.meterConfig(1)).toEqual([{ meterId: 1, flags: MeterFlags.PKTPS | MeterFlags.BURST, bands: [band] }]);
    await conn.install([meterMod({ command: 'delete', meterId: 1, flags: 0 })]);
    expect(await conn.meterConfig()).toEqual([]);
    const flows = await lab.dumpFlows(bridge);
    expect(flows.some((l) => l.includes('meter:1'))).toBe(false);
    expect(flows).toHaveLength(EXPECTED_FLOWS.length - 1);
  });
});

/** The TCP RST|ACK answering a SYN frame (Ethernet, IPv4 without options, TCP), as a member
 *  builds for a `reject` rule. */
function tcpReset(syn: Buffer): Buffer {
  const ipIn = syn.subarray(14, 34);
  const tcpIn = syn.subarray(34);
  const eth = Buffer.concat([syn.subarray(6, 12), syn.subarray(0, 6), Buffer.from([0x08, 0x00])]);
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(40, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(6, 9);
  ipIn.copy(ip, 12, 16, 20);
  ipIn.copy(ip, 16, 12, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(tcpIn.readUInt16BE(2), 0);
  tcp.writeUInt16BE(tcpIn.readUInt16BE(0), 2);
  tcp.writeUInt32BE((tcpIn.readUInt32BE(4) + 1) >>> 0, 8); // acknowledges the SYN
  tcp.writeUInt8(5 << 4, 12);
  tcp.writeUInt8(0x14, 13); // RST, ACK
  tcp.writeUInt16BE(checksum(ip.subarray(12, 20), Buffer.from([0, 6, 0, 20]), tcp), 16);
  return Buffer.concat([eth, ip, tcp]);
}
