// The simulated switch (src/simulator/openflow) against a real ovs-vswitchd: the same sequence
// of OpenFlow messages, through the same controllers, to both; after each step the answers
// (errors by index, type and code) and the tables (flows, groups, meters read back through flow
// stats, group desc and meter config, normalized as reconcile compares them) must be equal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  act,
  bucket,
  dropBand,
  flowMod,
  FlowModFlags,
  groupMod,
  inst,
  meterMod,
  Meter,
  packetOut,
  Port,
  TABLE_ALL,
  type FlowRemoved,
  type KnownOxm,
  type OfMessage,
  type OutgoingMessage,
  type PortStatus,
} from '../../../src/openflow/index.ts';
import { overlayFlows, overlayGroups } from '../openflow/pipeline-fixture.ts';
import { outcome, startSideBySide, table, type Side, type SideBySide } from './sim-vs-ovs.ts';

let s: SideBySide;

beforeAll(async () => {
  s = await startSideBySide();
});

afterAll(async () => {
  await s?.stop();
});

/** Sends `msgs` to both switches through controller `via`; both answer alike and end up holding
 *  the same; what the real one holds is returned for the step's own checks. */
async function step(msgs: readonly OutgoingMessage[], via: 'a' | 'b' = 'a') {
  const [real, sim] = await pair((side) => outcome(side[via], msgs));
  expect(sim, 'errors').toEqual(real);
  const [realTable, simTable] = await pair((side) => table(side.a));
  expect(simTable).toEqual(realTable);
  return { failures: real, ...realTable };
}

/** `f` of the real switch and of the simulated one, at once. */
const pair = <T>(f: (side: Side) => Promise<T>): Promise<[T, T]> => Promise.all([f(s.real), f(s.simulated)]);

/** Messages of one type a side's connections receive while `f` runs. */
async function heard<T extends OfMessage['type']>(side: Side, type: T, f: () => Promise<unknown>): Promise<string[]> {
  const got: string[] = [];
  const listen = (who: string) => (m: OfMessage) => m.type === type && got.push(`${who} ${describeMessage(m)}`);
  const [la, lb] = [listen('a'), listen('b')];
  side.a.on('message', la);
  side.b.on('message', lb);
  try {
    await f();
    await Promise.all([side.a.barrier(), side.b.barrier()]);
  } finally {
    side.a.off('message', la);
    side.b.off('message', lb);
  }
  return got.sort();
}

function describeMessage(m: OfMessage): string {
  if (m.type === 'experimenter') return `${m.experimenter.toString(16)}/${m.expType} ${m.data.toString('hex')}`;
  if (m.type === 'flow_removed') return `${(m as FlowRemoved).cookie.toString(16)} t${m.tableId} p${m.priority} reason=${m.reason}`;
  if (m.type === 'port_status') return `reason=${(m as PortStatus).reason} port=${m.port.portNo}`;
  return m.type;
}

const reg = (n: number, value: number, mask?: number) => ({ field: `reg${n}`, value, ...(mask === undefined ? {} : { mask }) }) as KnownOxm;

describe('a simulated switch answers as ovs-vswitchd does', () => {
  it('handshake: features (but the datapath id), config, meter features, table stats', async () => {
    const [real, sim] = await pair(async (side) => ({ ...side.a.features!, datapathId: 0n, xid: 0 }));
    expect(sim).toEqual(real);
    expect(real.nTables).toBe(254);
    const [rc, sc] = await pair((side) => side.a.getConfig());
    expect(sc).toEqual(rc);
    const [rm, sm] = await pair((side) => side.a.meterFeatures());
    expect(sm).toEqual(rm);
    const tables = await pair((side) => side.a.multipart({ kind: 'raw', mpType: 3, data: Buffer.alloc(0) }));
    expect(tables[1]).toEqual(tables[0]);
    // SET_CONFIG: miss_send_len is the connection's own.
    await pair((side) => side.b.setConfig(0, 200));
    const configs = await pair(async (side) => [await side.a.getConfig(), await side.b.getConfig()]);
    expect(configs[1]).toEqual(configs[0]);
    expect(configs[0].map((c) => c.missSendLen)).toEqual([128, 200]);
    const [rr, sr] = await pair((side) => side.a.role('nochange'));
    expect(sr).toEqual(rr);
    expect(rr).toEqual({ role: 'equal', generationId: 0xffffffffffffffffn });
  });

  it('adds: flows, groups and a meter go in alike', async () => {
    const t = await step([
      ...overlayGroups(),
      ...overlayFlows(),
      meterMod({ meterId: 1, bands: [dropBand(10_000)] }),
      meterMod({ meterId: 2, flags: 1, bands: [dropBand(5_000, 500)] }),
      flowMod({ tableId: 4, priority: 7, cookie: 0x4n, match: [reg(2, 7)], instructions: [inst.meter(1), inst.apply(act.output(3))] }),
      flowMod({ tableId: 4, priority: 8, cookie: 0x5n, match: [reg(2, 8)], instructions: [inst.meter(2), inst.apply(act.group(2))] }),
      flowMod({
        tableId: 4,
        priority: 9,
        match: [reg(2, 9)],
        flags: FlowModFlags.RESET_COUNTS | FlowModFlags.NO_PKT_COUNTS | FlowModFlags.NO_BYT_COUNTS,
      }),
    ]);
    expect(t.failures).toEqual([]);
    expect(t.flows).toHaveLength(overlayFlows().length + 3);
    expect(t.groups).toHaveLength(4);
    expect(t.meters).toEqual(['1 flags=13 drop:10000/10000', '2 flags=1 drop:5000/500']);
  });

  it('overlapping adds replace the flow whole (cookie, timeouts, flags); CHECK_OVERLAP refuses an overlap', async () => {
    const t = await step([
      // Same table, priority and match as overlayFlows' table 1 priority 10, fields the other way round.
      flowMod({
        tableId: 1,
        priority: 10,
        cookie: 0x55n,
        match: [reg(15, 0xffffffff), reg(0, 1, 0xf)],
        instructions: [inst.apply(act.output(5))],
      }),
      // Same as table 2 priority 100 but without its timeouts and flags, the IP as a /32 mask.
      flowMod({
        tableId: 2,
        priority: 100,
        cookie: 0xabdn,
        match: [
          { field: 'eth_type', value: 0x0800 },
          { field: 'ip_proto', value: 6 },
          { field: 'ipv4_dst', value: '10.2.3.4', mask: '255.255.255.255' },
        ],
        instructions: [inst.apply(act.output(4))],
      }),
      flowMod({ tableId: 5, priority: 5, match: [reg(1, 1)] }),
      flowMod({ tableId: 5, priority: 5, flags: FlowModFlags.CHECK_OVERLAP, match: [reg(2, 1)] }), // overlaps reg1=1
      flowMod({ tableId: 5, priority: 5, flags: FlowModFlags.CHECK_OVERLAP, match: [reg(1, 2)] }), // does not
      flowMod({ tableId: 5, priority: 6, flags: FlowModFlags.CHECK_OVERLAP, match: [reg(1, 1)] }), // another priority
    ]);
    expect(t.failures.map((f) => f.slice(0, 3))).toEqual([[3, 'FLOW_MOD_FAILED', 'OVERLAP']]);
    expect(t.flows.filter((l) => l.startsWith('2/100/'))).toEqual([
      expect.stringMatching(/cookie=abd idle=0 hard=0 flags=0 apply_actions\(output:4\)$/),
    ]);
    expect(t.flows.filter((l) => l.startsWith('5/'))).toHaveLength(3);
  });

  it('modify (cookie mask, within a match), modify_strict; neither adds a flow that is not there', async () => {
    const t = await step([
      flowMod({ command: 'modify', tableId: 2, cookie: 0xab0n, cookieMask: 0xff0n, instructions: [inst.apply(act.output(6))] }),
      flowMod({ command: 'modify', tableId: 5, match: [reg(1, 0, 0xfffffffc)], cookie: 0x77n, instructions: [inst.apply(act.output(7))] }),
      flowMod({
        command: 'modify_strict',
        tableId: 1,
        priority: 40,
        match: [{ field: 'eth_dst', value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' }],
        instructions: [inst.apply(act.group(2))],
      }),
      flowMod({
        command: 'modify_strict',
        tableId: 1,
        priority: 41,
        match: [{ field: 'eth_dst', value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' }],
        instructions: [inst.apply(act.group(3))],
      }),
      flowMod({ command: 'modify', tableId: 6, match: [reg(1, 1)], instructions: [inst.apply(act.output(1))] }),
      flowMod({
        command: 'modify',
        tableId: 4,
        cookie: 0x4n,
        cookieMask: 0xffn,
        instructions: [inst.meter(1), inst.apply(act.output(8))],
      }),
    ]);
    expect(t.failures).toEqual([]);
    expect(t.flows.filter((l) => l.startsWith('5/'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^5\/5\/reg1=1 cookie=0 .*output:7\)$/),
        expect.stringMatching(/^5\/5\/reg1=2 .*output:7\)$/),
      ]),
    );
    expect(t.flows.some((l) => l.startsWith('6/'))).toBe(false);
  });

  it('deletes: strict, within a match, by cookie mask, out_port, out_group, in every table', async () => {
    const removed = await pair((side) =>
      heard(side, 'flow_removed', () =>
        outcome(side.a, [
          flowMod({ command: 'delete_strict', tableId: 2, priority: 80, match: [{ field: 'vlan_vid', value: 0x1000 | 100 }] }),
          flowMod({ command: 'delete_strict', tableId: 5, priority: 5, match: [reg(1, 2), reg(2, 0, 0)] }),
          flowMod({ command: 'delete', tableId: 2, match: [{ field: 'in_port', value: 1 }] }),
          flowMod({ command: 'delete', tableId: TABLE_ALL, cookie: 0x99n, cookieMask: 0xffffffffffffffffn }),
          flowMod({ command: 'delete', tableId: TABLE_ALL, outPort: 8 }),
          flowMod({ command: 'delete', tableId: 1, outGroup: 2 }),
          flowMod({ command: 'delete', tableId: 0, match: [{ field: 'tunnel_id', value: 0x1234n }] }),
          flowMod({ command: 'delete_strict', tableId: TABLE_ALL, priority: 5, match: [reg(1, 1)] }),
          flowMod({ command: 'add', tableId: 7, priority: 9, cookie: 0x7n, flags: FlowModFlags.SEND_FLOW_REM, match: [reg(1, 9)] }),
          flowMod({ command: 'delete', tableId: 7, match: [reg(1, 9)] }),
        ]),
      ),
    );
    expect(removed[1]).toEqual(removed[0]);
    expect(removed[0]).toEqual(['a 7 t7 p9 reason=2', 'b 7 t7 p9 reason=2']); // both controllers are equals
    const t = await step([]);
    expect(t.flows.some((l) => l.includes('vlan_vid'))).toBe(false);
    expect(t.flows.filter((l) => l.startsWith('5/'))).toEqual([expect.stringMatching(/^5\/6\/reg1=1 /)]);
    expect(t.flows.some((l) => l.startsWith('0/100/'))).toBe(false);
    expect(t.flows.some((l) => l.startsWith('4/7/') || l.startsWith('1/40/'))).toBe(false); // out_port 8, out_group 2
    expect(t.flows.length).toBeGreaterThan(5);
  });

  it('groups and meters: modify, delete (with the flows that use them), and their errors', async () => {
    const t = await step([
      groupMod({ command: 'modify', groupId: 2, groupType: 'select', buckets: [bucket([act.output(2)], { weight: 7 })] }),
      groupMod({ command: 'add', groupId: 5, groupType: 'all', buckets: [bucket([act.group(77)])] }), // a group not there (yet) is fine
      groupMod({ command: 'delete', groupId: 4, groupType: 'all' }), // table 3's flow goes with it
      groupMod({ command: 'add', groupId: 1, groupType: 'all' }),
      groupMod({ command: 'modify', groupId: 9, groupType: 'all' }),
      groupMod({ command: 'delete', groupId: 99, groupType: 'all' }),
      meterMod({ command: 'modify', meterId: 2, flags: 1, bands: [dropBand(6_000, 600)] }),
      meterMod({ command: 'add', meterId: 2, bands: [dropBand(1)] }),
      meterMod({ command: 'modify', meterId: 9, bands: [dropBand(1)] }),
      meterMod({ command: 'add', meterId: 0, bands: [dropBand(1)] }),
      meterMod({ command: 'delete', meterId: 1, flags: 0 }), // table 4's flow (modified to meter 1) goes
      meterMod({ command: 'delete', meterId: 19, flags: 0 }),
    ]);
    expect(t.failures.map((f) => f.slice(0, 3))).toEqual([
      [3, 'GROUP_MOD_FAILED', 'GROUP_EXISTS'],
      [4, 'GROUP_MOD_FAILED', 'UNKNOWN_GROUP'],
      [7, 'METER_MOD_FAILED', 'METER_EXISTS'],
      [8, 'METER_MOD_FAILED', 'UNKNOWN_METER'],
      [9, 'METER_MOD_FAILED', 'INVALID_METER'],
    ]);
    expect(t.flows.some((l) => l.startsWith('3/'))).toBe(false);
    expect(t.meters).toEqual(['2 flags=1 drop:6000/600']);
    const all = await step([
      groupMod({ command: 'delete', groupId: 0xfffffffc, groupType: 'all' }),
      meterMod({ command: 'delete', meterId: Meter.ALL, flags: 0 }),
    ]);
    expect([all.groups, all.meters]).toEqual([[], []]);
  });

  it('what OVS refuses in a flow-mod, it refuses alike (type, code, the request echoed)', async () => {
    const t = await step([
      flowMod({ tableId: 8, match: [{ field: 'ipv4_dst', value: '10.0.0.1' }] }),
      flowMod({ tableId: 254 }),
      flowMod({ tableId: TABLE_ALL }),
      flowMod({ tableId: 8, instructions: [inst.gotoTable(8)] }),
      flowMod({ tableId: 8, instructions: [inst.meter(9)] }),
      flowMod({ tableId: 8, match: [reg(0, 1), reg(0, 2)] }),
      flowMod({ tableId: 8, bufferId: 5 }),
      flowMod({ tableId: 8, instructions: [inst.apply(act.output(0))] }), // taken
      flowMod({ command: 'delete', tableId: 254 }),
      flowMod({
        tableId: 8,
        match: [
          { field: 'tcp_dst', value: 80 },
          { field: 'eth_type', value: 0x0800 },
        ],
      }),
      flowMod({ tableId: 8, match: [reg(0, 3, 1)] }),
      flowMod({ tableId: 8, instructions: [inst.apply(act.group(77))] }),
      flowMod({ tableId: 8, match: [reg(0, 4)], instructions: [inst.apply(act.ct({ zone: 1 }))] }),
      flowMod({ tableId: 8, match: [reg(0, 5)], instructions: [inst.apply(act.setField({ field: 'ipv4_dst', value: '10.0.0.9' }))] }),
      flowMod({
        tableId: 8,
        match: [{ field: 'eth_type', value: 0x0800 }],
        instructions: [inst.apply(act.ct({ zone: 1 }), act.setField({ field: 'ipv4_dst', value: '10.0.0.9' }))],
      }),
    ]);
    expect(t.failures.map((f) => f[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13]);
  });

  it('roles: generation ids, a new master demotes the old one (told by role status), a slave cannot write', async () => {
    const roles = (side: Side, steps: [via: 'a' | 'b', role: 'master' | 'slave' | 'equal' | 'nochange', gen: bigint][]) =>
      heard(side, 'experimenter', async () => {
        const got: unknown[] = [];
        for (const [via, role, gen] of steps) got.push(await side[via].role(role, gen).catch((e: { codeName?: string }) => e.codeName));
        return (side.name === 'ovs' ? realAnswers : simAnswers).push(...got);
      });
    const realAnswers: unknown[] = [];
    const simAnswers: unknown[] = [];
    const steps: [via: 'a' | 'b', role: 'master' | 'slave' | 'equal' | 'nochange', gen: bigint][] = [
      ['a', 'master', 10n],
      ['b', 'master', 11n],
      ['a', 'nochange', 0n],
      ['a', 'slave', 5n],
      ['a', 'master', 9n],
      ['b', 'equal', 0n],
      ['b', 'master', 11n],
    ];
    const [realHeard, simHeard] = await pair((side) => roles(side, steps));
    expect(simAnswers).toEqual(realAnswers);
    expect(realAnswers).toEqual([
      { role: 'master', generationId: 10n },
      { role: 'master', generationId: 11n },
      { role: 'slave', generationId: 11n },
      'STALE',
      'STALE',
      { role: 'equal', generationId: 11n },
      { role: 'master', generationId: 11n },
    ]);
    expect(simHeard).toEqual(realHeard);
    expect(realHeard).toHaveLength(1); // a, demoted by b
    const frame = Buffer.from('0200000000090200000000010806' + '00'.repeat(46), 'hex');
    const t = await step(
      [flowMod({ tableId: 9, match: [reg(0, 1)] }), meterMod({ meterId: 3, bands: [dropBand(1)] }), packetOut(frame, [act.output(1)])],
      'a',
    );
    expect(t.failures.map((f) => f.slice(0, 3))).toEqual([
      [0, 'BAD_REQUEST', 'IS_SLAVE'],
      [1, 'BAD_REQUEST', 'IS_SLAVE'],
      [2, 'BAD_REQUEST', 'IS_SLAVE'],
    ]);
    expect(t.flows.some((l) => l.startsWith('9/'))).toBe(false);
    const byMaster = await step([flowMod({ tableId: 9, match: [reg(0, 1)] }), packetOut(frame, [act.output(1)])], 'b');
    expect(byMaster.failures).toEqual([]);
    expect(byMaster.flows.some((l) => l.startsWith('9/'))).toBe(true);
  });

  it('ports coming and going are told to every controller (PORT_STATUS), and listed', async () => {
    const name = `${s.bridge}p7`.slice(-15);
    const [realHeard, simHeard] = await Promise.all([
      heard(s.real, 'port_status', async () => {
        await s.ovs.vsctl('add-port', s.bridge, name, '--', 'set', 'interface', name, 'type=internal', 'ofport_request=7');
        await until(async () => (await s.real.a.portDesc()).some((p) => p.portNo === 7));
        await s.ovs.vsctl('del-port', s.bridge, name);
        await until(async () => !(await s.real.a.portDesc()).some((p) => p.portNo === 7));
      }),
      heard(s.simulated, 'port_status', async () => {
        s.sim.addPort({ name: 'vm7', ofport: 7, mac: '02:00:00:00:00:07' });
        expect((await s.simulated.a.portDesc()).map((p) => [p.portNo, p.name])).toEqual([
          [Port.LOCAL, 'br-int'],
          [7, 'vm7'],
        ]);
        s.sim.removePort(7);
      }),
    ]);
    expect(simHeard).toEqual(realHeard);
    expect(realHeard).toEqual(['a reason=0 port=7', 'a reason=1 port=7', 'b reason=0 port=7', 'b reason=1 port=7']);
  });
});

async function until(f: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
