// Flows and groups programmed through our library on a real ovs-vswitchd (3.1, userspace
// datapath) must be exactly what ovs-ofctl dump-flows / dump-groups show, and must decode back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  act,
  bucket,
  flowMod,
  FlowModFlags,
  groupMod,
  inst,
  OpenFlowInstallError,
  packetOut,
  readFlowTable,
  readGroupTable,
  type FlowMod,
  type FlowRemoved,
  type GroupMod,
  type OpenFlowConnection,
} from '../../../src/openflow/index.ts';
import { startOfLab, type OfLab } from './of-lab.ts';
import { overlayFlows, overlayGroups } from './pipeline-fixture.ts';

// What ovs-ofctl -O OpenFlow13 dump-flows --no-stats prints for overlayFlows() (sorted).
const EXPECTED_FLOWS = [
  'cookie=0x99, priority=0 actions=drop',
  'cookie=0xabc, table=2, idle_timeout=60, hard_timeout=300, send_flow_rem priority=100,tcp,nw_dst=10.2.3.4 actions=set_field:00:00:5e:00:01:01->eth_src,set_field:00:00:00:00:00:03->eth_dst,dec_ttl,output:2',
  'priority=100,tun_id=0x1234,tun_src=10.0.0.1,in_port=1 actions=set_field:0x1->reg0,write_metadata:0x1234/0xffffff,goto_table:1',
  'priority=90,in_port=2 actions=set_field:0x5->tun_id,goto_table:1',
  'table=1, priority=10,reg0=0x1/0xf,reg15=0xffffffff actions=clear_actions,write_actions(output:2)',
  'table=1, priority=20,ip,nw_dst=10.2.0.0/16 actions=goto_table:2',
  'table=1, priority=30,arp,arp_spa=10.1.0.2,arp_tpa=10.1.0.1,arp_op=1 actions=CONTROLLER:65535',
  'table=1, priority=40,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=group:1',
  'table=1, priority=50,metadata=0x1234/0xffffff,dl_dst=00:00:00:00:00:02 actions=set_field:192.168.1.2->tun_dst,set_field:0x1234->tun_id,output:1',
  'table=2, priority=50,dl_src=aa:bb:cc:00:00:00/ff:ff:ff:00:00:00 actions=LOCAL,ALL',
  'table=2, priority=60,tun_src=192.168.0.0/24,tun_dst=192.168.0.9 actions=set_field:0xdead->reg1,resubmit(,3)',
  'table=2, priority=70,in_port=1 actions=push_vlan:0x8100,set_field:4296->vlan_vid,set_queue:1,IN_PORT',
  'table=2, priority=80,dl_vlan=100 actions=pop_vlan,output:1',
  'table=2, priority=90,ip,nw_src=10.1.0.0/24 actions=write_actions(group:3)',
  'table=3, priority=1 actions=group:4',
].sort();

const EXPECTED_GROUPS = [
  'group_id=1,type=all,bucket=actions=set_field:192.168.1.2->tun_dst,set_field:0x1234->tun_id,output:1,bucket=actions=output:2',
  'group_id=2,type=select,bucket=weight:50,actions=set_field:00:00:00:00:00:0a->eth_dst,output:1,bucket=weight:50,actions=set_field:00:00:00:00:00:0b->eth_dst,output:2',
  'group_id=3,type=indirect,bucket=actions=set_field:00:00:5e:00:01:01->eth_src,set_field:00:00:00:00:00:02->eth_dst,output:2',
  'group_id=4,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_port:2,actions=output:2,bucket=watch_group:3,actions=group:3',
].sort();

const key = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

let lab: OfLab;
let bridge: string;
let conn: OpenFlowConnection;

beforeAll(async () => {
  lab = await startOfLab();
  ({ bridge, conn } = await lab.addSwitch(0x101n, { patchPorts: true }));
});

afterAll(async () => {
  await lab?.stop();
});

describe('the overlay pipeline on real OVS', () => {
  it('dump-flows and dump-groups show exactly what we installed', async () => {
    await conn.install(overlayGroups());
    await conn.install(overlayFlows());
    expect(await lab.dumpFlows(bridge)).toEqual(EXPECTED_FLOWS);
    expect(await lab.dumpGroups(bridge)).toEqual(EXPECTED_GROUPS);
  });

  it('flow stats (multipart) decode back to the flows we sent, field for field', async () => {
    const stats = await conn.flowStats();
    const sent = overlayFlows() as FlowMod[];
    expect(stats).toHaveLength(sent.length);
    for (const f of sent) {
      const s = stats.find((x) => x.tableId === f.tableId && x.priority === f.priority);
      expect(s, `table ${f.tableId} priority ${f.priority}`).toBeDefined();
      // OVS returns the match in its own canonical order.
      expect(s!.match.map(key).sort()).toEqual(f.match.map(key).sort());
      expect(s!.instructions).toEqual(
        f.instructions.map((i) =>
          i.type === 'apply_actions' || i.type === 'write_actions'
            ? { ...i, actions: i.actions.map((a) => (a.type === 'output' ? { ...a, maxLen: a.maxLen ?? 0 } : a)) }
            : i,
        ),
      );
      expect([s!.cookie, s!.idleTimeout, s!.hardTimeout, s!.flags & FlowModFlags.SEND_FLOW_REM]).toEqual([
        f.cookie,
        f.idleTimeout,
        f.hardTimeout,
        f.flags,
      ]);
    }
  });

  it('group desc (multipart) decodes back to the groups we sent', async () => {
    const groups = await conn.groupDesc();
    const sent = overlayGroups() as GroupMod[];
    expect(groups.sort((a, b) => a.groupId - b.groupId)).toEqual(
      sent.map((g) => ({
        groupType: g.groupType,
        groupId: g.groupId,
        buckets: g.buckets.map((b) => ({ ...b, actions: b.actions.map((a) => (a.type === 'output' ? { ...a, maxLen: 0 } : a)) })),
      })),
    );
  });

  it('aggregate stats count the flows', async () => {
    expect((await conn.aggregate()).flowCount).toBe(EXPECTED_FLOWS.length);
    expect((await conn.aggregate({ tableId: 2 })).flowCount).toBe(6);
  });

  it('port and group stats count a packet sent through an `all` group: the group, each bucket, each port', async () => {
    const before = await conn.portStats();
    expect(before.map((p) => p.portNo).sort()).toEqual(expect.arrayContaining([1, 2]));
    // Unicast: what the patch ports' peer floods back finds no flow here (a broadcast would loop).
    const frame = Buffer.from('0200000000090200000000010806' + '00'.repeat(46), 'hex');
    await conn.install([packetOut(frame, [act.group(1)])]);
    const deadline = Date.now() + 5000;
    let group = (await conn.groupStats(1))[0];
    while (group?.packetCount !== 1n && Date.now() < deadline) group = (await conn.groupStats(1))[0];
    expect(group).toMatchObject({ groupId: 1, packetCount: 1n, buckets: [{ packetCount: 1n }, { packetCount: 1n }] });
    expect((await conn.groupStats()).map((g) => g.groupId).sort()).toEqual([1, 2, 3, 4]);
    const tx = (stats: typeof before, port: number) => stats.find((p) => p.portNo === port)!.txPackets;
    const after = await conn.portStats(2);
    expect(after).toHaveLength(1);
    expect(tx(after, 2) - tx(before, 2)).toBe(1n);
  });
});

describe('modify and delete', () => {
  it('modify by cookie mask, modify_strict, delete_strict, non-strict delete, delete by cookie', async () => {
    await conn.install([
      flowMod({ command: 'modify', tableId: 2, cookie: 0xabcn, cookieMask: 0xfffn, instructions: [inst.apply(act.output(1))] }),
      flowMod({
        command: 'modify_strict',
        tableId: 1,
        priority: 40,
        match: [{ field: 'eth_dst', value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' }],
        instructions: [inst.apply(act.group(2))],
      }),
      flowMod({ command: 'delete_strict', tableId: 2, priority: 80, match: [{ field: 'vlan_vid', value: 0x1000 | 100 }] }),
      flowMod({ command: 'delete', tableId: 2, match: [{ field: 'in_port', value: 1 }] }),
      flowMod({ command: 'delete', tableId: 0xff, cookie: 0x99n, cookieMask: 0xffffffffffffffffn }),
    ]);
    const flows = await lab.dumpFlows(bridge);
    expect(flows).toContain(
      'cookie=0xabc, table=2, idle_timeout=60, hard_timeout=300, send_flow_rem priority=100,tcp,nw_dst=10.2.3.4 actions=output:1',
    );
    expect(flows).toContain('table=1, priority=40,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=group:2');
    expect(flows.some((l) => l.includes('dl_vlan=100'))).toBe(false);
    expect(flows.some((l) => l.includes('priority=70,in_port=1'))).toBe(false);
    expect(flows.some((l) => l.startsWith('cookie=0x99'))).toBe(false);
    expect(flows).toHaveLength(EXPECTED_FLOWS.length - 3);
  });

  it('group modify and delete (deleting a group removes the flows that use it)', async () => {
    await conn.install([
      groupMod({ command: 'modify', groupId: 2, groupType: 'select', buckets: [bucket([act.output(2)], { weight: 7 })] }),
      groupMod({ command: 'delete', groupId: 4, groupType: 'all' }),
    ]);
    const groups = await lab.dumpGroups(bridge);
    expect(groups).toContain('group_id=2,type=select,bucket=weight:7,actions=output:2');
    expect(groups.some((g) => g.startsWith('group_id=4,'))).toBe(false);
    expect((await lab.dumpFlows(bridge)).some((l) => l.includes('group:4'))).toBe(false);
  });
});

describe('errors from OVS come back typed, per message', () => {
  it('a batch with bad messages reports each by index; the good ones are installed', async () => {
    const err = await conn
      .install([
        flowMod({ tableId: 9, priority: 1, match: [{ field: 'in_port', value: 1 }] }),
        flowMod({ tableId: 9, priority: 2, match: [{ field: 'ipv4_dst', value: '10.0.0.1' }] }), // no eth_type
        flowMod({ tableId: 9, priority: 3, instructions: [inst.apply(act.group(77))] }), // no such group
        groupMod({ groupId: 1, groupType: 'all' }), // exists
        flowMod({ tableId: 9, priority: 4, match: [{ field: 'in_port', value: 2 }] }),
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenFlowInstallError);
    const failures = (err as OpenFlowInstallError).failures.map((f) => [f.index, f.error.typeName, f.error.codeName]);
    expect(failures).toEqual([
      [1, 'BAD_MATCH', 'BAD_PREREQ'],
      [2, 'BAD_ACTION', 'BAD_OUT_GROUP'],
      [3, 'GROUP_MOD_FAILED', 'GROUP_EXISTS'],
    ]);
    const table9 = (await lab.dumpFlows(bridge)).filter((l) => l.startsWith('table=9,'));
    expect(table9).toEqual(['table=9, priority=1,in_port=1 actions=drop', 'table=9, priority=4,in_port=2 actions=drop']);
  });

  it('CHECK_OVERLAP gives FLOW_MOD_FAILED/OVERLAP', async () => {
    await conn.install([flowMod({ tableId: 10, priority: 5, match: [{ field: 'in_port', value: 1 }] })]);
    const err = await conn
      .install([flowMod({ tableId: 10, priority: 5, flags: FlowModFlags.CHECK_OVERLAP, match: [{ field: 'eth_type', value: 0x0800 }] })])
      .catch((e: unknown) => e);
    expect((err as OpenFlowInstallError).failures[0]!.error).toMatchObject({ typeName: 'FLOW_MOD_FAILED', codeName: 'OVERLAP' });
  });
});

describe('timeouts and flow-removed', () => {
  it('a hard_timeout flow with SEND_FLOW_REM expires and is reported', async () => {
    const removed = new Promise<FlowRemoved>((resolve) => {
      conn.on('flowRemoved', (m) => {
        if (m.cookie === 0x777n) resolve(m);
      });
    });
    await conn.install([
      flowMod({
        tableId: 11,
        priority: 7,
        cookie: 0x777n,
        hardTimeout: 1,
        flags: FlowModFlags.SEND_FLOW_REM,
        match: [{ field: 'reg5', value: 5 }],
      }),
    ]);
    const m = await removed;
    expect(m).toMatchObject({ tableId: 11, priority: 7, reason: 1, hardTimeout: 1, match: [{ field: 'reg5', value: 5 }] });
    expect((await lab.dumpFlows(bridge)).some((l) => l.includes('reg5'))).toBe(false);
  });
});

describe('large multipart replies', () => {
  it('OVS splits 3000 flow stats into several replies with MORE; we reassemble them all', async () => {
    const n = 3000;
    await conn.install(
      Array.from({ length: n }, (_, i) =>
        flowMod({
          tableId: 20,
          priority: 10,
          cookie: BigInt(i),
          match: [
            { field: 'tunnel_id', value: BigInt(i) },
            { field: 'reg2', value: i },
          ],
          instructions: [inst.apply(act.setField({ field: 'tun_dst', value: `10.9.${i >> 8}.${i & 0xff}` }), act.output(1))],
        }),
      ),
    );
    let parts = 0;
    let more = 0;
    const count = (m: { type: string; flags?: number }) => {
      if (m.type !== 'multipart_reply') return;
      parts += 1;
      if ((m.flags ?? 0) & 1) more += 1;
    };
    conn.on('message', count);
    const flows = await conn.flowStats({ tableId: 20 });
    conn.off('message', count);
    expect(more).toBeGreaterThan(0);
    expect(parts).toBe(more + 1);
    expect(flows).toHaveLength(n);
    expect(new Set(flows.map((f) => f.cookie)).size).toBe(n);
    const f = flows.find((x) => x.cookie === 777n)!;
    expect(f.match.map((m) => m.field).sort()).toEqual(['reg2', 'tunnel_id']);
    expect(f.instructions).toEqual([
      inst.apply(act.setField({ field: 'tun_dst', value: '10.9.3.9' }), { type: 'output', port: 1, maxLen: 0 }),
    ]);
  });
});

describe('table digests (a fingerprint of the flow and group tables read without decoding)', () => {
  it('two switches holding the same flows in any order agree; counters and time do not count; any change of a flow does', async () => {
    const a = (await lab.addSwitch(0x201n, { patchPorts: true })).conn;
    const b = (await lab.addSwitch(0x202n, { patchPorts: true })).conn;
    // Enough flows for several multipart replies (MORE), installed in opposite orders.
    const many = Array.from({ length: 1500 }, (_, i) =>
      flowMod({
        tableId: 20,
        priority: 10,
        cookie: BigInt(i),
        match: [{ field: 'reg2', value: i }],
        instructions: [inst.apply(act.output(1))],
      }),
    );
    await a.install([...overlayGroups(), ...overlayFlows(), ...many]);
    await b.install([...overlayGroups().reverse(), ...[...overlayFlows(), ...many].reverse()]);
    const [da, db] = [(await readFlowTable(a, undefined, false)).digest, (await readFlowTable(b, undefined, false)).digest];
    expect(da).toEqual(db);
    expect(da.entries).toBe(EXPECTED_FLOWS.length + many.length);
    expect((await readGroupTable(a, undefined, false)).digest).toEqual((await readGroupTable(b, undefined, false)).digest);

    // The same reply decoded gives what flowStats gives, and the same digest.
    const both = await readFlowTable(a, undefined, true);
    expect(both.digest).toEqual(da);
    const noClock = (f: object) => key({ ...f, durationSec: 0, durationNsec: 0 });
    expect(both.flows.map(noClock).sort()).toEqual((await a.flowStats()).map(noClock).sort());
    expect(both.flows).toHaveLength(da.entries);
    const groups = await readGroupTable(a, undefined, true);
    expect(groups.groups.map((g) => g.groupId).sort()).toEqual([1, 2, 3, 4]);
    expect(groups.digest).toEqual((await readGroupTable(b, undefined, false)).digest);

    // A packet through group 1 counts on a's flows and groups, and time passes: no change.
    await a.install([packetOut(Buffer.from('0200000000090200000000010806' + '00'.repeat(46), 'hex'), [act.group(1)])]);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await readFlowTable(a, undefined, false)).digest).toEqual(da);

    // Another action on one flow, then the flow gone, then back as it was.
    const one = many[777]!;
    await a.install([{ ...(one as FlowMod), command: 'modify_strict', instructions: [inst.apply(act.output(2))] }]);
    const modified = (await readFlowTable(a, undefined, false)).digest;
    expect(modified.entries).toBe(da.entries);
    expect(modified.hash).not.toBe(da.hash);
    await a.install([{ ...(one as FlowMod), command: 'delete_strict' }]);
    expect((await readFlowTable(a, undefined, false)).digest.entries).toBe(da.entries - 1);
    await a.install([one]);
    expect((await readFlowTable(a, undefined, false)).digest).toEqual(da);

    // What the filter leaves out does not count.
    const withoutTable20 = (await readFlowTable(a, (tableId) => tableId !== 20, false)).digest;
    expect(withoutTable20.entries).toBe(EXPECTED_FLOWS.length);
    await a.install([{ ...(one as FlowMod), command: 'modify_strict', instructions: [inst.apply(act.output(2))] }]);
    expect((await readFlowTable(a, (tableId) => tableId !== 20, false)).digest).toEqual(withoutTable20);
    expect((await readGroupTable(a, (id) => id !== 4, false)).digest.entries).toBe(3);
  });
});
