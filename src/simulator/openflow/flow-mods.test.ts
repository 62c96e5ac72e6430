// The flow table's OpenFlow semantics without a connection: FLOW_MOD, GROUP_MOD and METER_MOD
// applied to the tables as the datapath applies them, frames made by our serializer.
import { describe, expect, it } from 'vitest';
import { act, bucket, dropBand, flowMod, FlowModFlags, groupMod, inst, meterMod, TABLE_ALL } from '../../openflow/index.ts';
import type { FlowMod, GroupMod, KnownOxm, MeterMod } from '../../openflow/index.ts';
import { serialize } from '../../openflow/serializer.ts';
import { decodeFlow, expired, flowCookie } from './flow-entry.ts';
import { applyFlowMod, removeUsers, type Tables } from './flow-mods.ts';
import { FlowTable } from './flow-table.ts';
import { GroupTable } from './group-table.ts';
import { MeterTable } from './meter-table.ts';

const reg = (n: number, value: number, mask?: number) => ({ field: `reg${n}`, value, ...(mask === undefined ? {} : { mask }) }) as KnownOxm;

/** A GROUP_MOD and its bytes, as GroupTable.apply takes them. */
function groupFrame(fields: Partial<GroupMod> & { groupId: number }): [GroupMod, Buffer] {
  const msg = { ...groupMod({ groupType: 'all', ...fields }), xid: 0 } as GroupMod;
  return [msg, serialize(msg)];
}

function tables(): Tables {
  return { flows: new FlowTable(), groups: new GroupTable(), meters: new MeterTable() };
}

/** Applies a flow-mod built from `fields`; the outcome with the refusal's numbers. */
function send(t: Tables, fields: Parameters<typeof flowMod>[0], now = Date.now()) {
  const msg = { ...flowMod(fields), xid: 1 } as FlowMod;
  return applyFlowMod(t, msg, serialize(msg), now);
}

const held = (t: Tables) =>
  [...t.flows.entries()].map(([key, f]) => {
    const d = decodeFlow(f, Date.now());
    const out = d.instructions
      .flatMap((i) => ('actions' in i ? i.actions : []))
      .map((a) => ('port' in a ? a.port : 'groupId' in a ? `g${a.groupId}` : a.type));
    return `${key} c${d.cookie} i${d.idleTimeout} f${d.flags} ${out.join(',')}`;
  });

describe('FLOW_MOD add', () => {
  it('replaces the flow of the same table, priority and match whole, whatever the field order or all-ones masks', () => {
    const t = tables();
    send(t, { tableId: 1, priority: 5, cookie: 1n, idleTimeout: 100, flags: FlowModFlags.SEND_FLOW_REM, match: [reg(0, 1), reg(1, 2)] });
    send(t, { tableId: 1, priority: 5, cookie: 2n, match: [reg(1, 2, 0xffffffff), reg(0, 1)], instructions: [inst.apply(act.output(3))] });
    send(t, { tableId: 1, priority: 6, cookie: 3n, match: [reg(0, 1), reg(1, 2)] });
    expect(held(t)).toEqual(['1/5/reg0=1,reg1=2 c2 i0 f0 3', '1/6/reg0=1,reg1=2 c3 i0 f0 ']);
  });

  it('CHECK_OVERLAP refuses a flow some packet would match together with another of its priority', () => {
    const t = tables();
    send(t, { tableId: 1, priority: 5, match: [reg(0, 1)] });
    const overlap = FlowModFlags.CHECK_OVERLAP;
    expect(send(t, { tableId: 1, priority: 5, flags: overlap, match: [reg(1, 1)] })).toEqual({ refusal: { type: 5, code: 3 } });
    expect(send(t, { tableId: 1, priority: 5, flags: overlap, match: [reg(0, 2, 0xf)] })).toMatchObject({ changed: true });
    expect(send(t, { tableId: 1, priority: 5, flags: overlap, match: [reg(0, 0x12, 0xff)] })).toEqual({ refusal: { type: 5, code: 3 } });
    expect(send(t, { tableId: 1, priority: 6, flags: overlap, match: [reg(0, 1)] })).toMatchObject({ changed: true });
  });
});

describe('FLOW_MOD modify', () => {
  it('changes only instructions (cookie, timeouts, flags stay) of the flows within the match and cookie mask', () => {
    const t = tables();
    send(t, { tableId: 2, priority: 5, cookie: 0x10n, idleTimeout: 9, match: [reg(0, 1), reg(1, 1)] });
    send(t, { tableId: 2, priority: 6, cookie: 0x20n, match: [reg(0, 1)] });
    send(t, { tableId: 2, priority: 7, cookie: 0x10n, match: [reg(1, 1)] }); // not within reg0=1
    send(t, { tableId: 3, priority: 5, cookie: 0x10n, match: [reg(0, 1)] }); // another table
    const r = send(t, { command: 'modify', tableId: 2, cookie: 0x99n, match: [reg(0, 1)], instructions: [inst.apply(act.output(4))] });
    expect(r).toEqual({ changed: true, removed: [] });
    expect(held(t)).toEqual(['2/5/reg0=1,reg1=1 c16 i9 f0 4', '2/6/reg0=1 c32 i0 f0 4', '2/7/reg1=1 c16 i0 f0 ', '3/5/reg0=1 c16 i0 f0 ']);
    send(t, { command: 'modify', tableId: 2, cookie: 0x20n, cookieMask: 0xf0n, instructions: [inst.apply(act.output(5))] });
    expect(held(t)[1]).toBe('2/6/reg0=1 c32 i0 f0 5');
  });

  it('modify_strict takes exactly one flow; neither adds one that is not there', () => {
    const t = tables();
    send(t, { tableId: 2, priority: 5, match: [reg(0, 1), reg(1, 1)] });
    send(t, { tableId: 2, priority: 6, match: [reg(0, 1)] });
    send(t, { command: 'modify_strict', tableId: 2, priority: 6, match: [reg(0, 1)], instructions: [inst.apply(act.output(7))] });
    expect(send(t, { command: 'modify_strict', tableId: 2, priority: 7, match: [reg(0, 1)] })).toEqual({ changed: false, removed: [] });
    expect(send(t, { command: 'modify', tableId: 4, match: [reg(0, 1)] })).toEqual({ changed: false, removed: [] });
    expect(held(t)).toEqual(['2/5/reg0=1,reg1=1 c0 i0 f0 ', '2/6/reg0=1 c0 i0 f0 7']);
  });
});

describe('FLOW_MOD delete', () => {
  it('selects by match, cookie mask, out_port and out_group, in one table or all; strict by priority', () => {
    const t = tables();
    t.groups.apply(...groupFrame({ groupId: 9 }));
    const out = (port: number) => [inst.apply(act.output(port))];
    send(t, { tableId: 1, priority: 1, cookie: 0x101n, match: [reg(0, 1)], instructions: out(1) });
    send(t, { tableId: 1, priority: 2, cookie: 0x102n, match: [reg(0, 1), reg(1, 1)], instructions: out(2) });
    send(t, { tableId: 2, priority: 1, cookie: 0x201n, match: [reg(0, 1)], instructions: [inst.write(act.group(9))] });
    send(t, { tableId: 3, priority: 1, cookie: 0x301n, match: [reg(0, 2)], instructions: out(2) });
    const keys = () => [...t.flows.entries()].map(([k]) => k);
    send(t, { command: 'delete', tableId: TABLE_ALL, outPort: 2, match: [reg(0, 1)] });
    expect(keys()).toEqual(['1/1/reg0=1', '2/1/reg0=1', '3/1/reg0=2']);
    send(t, { command: 'delete', tableId: TABLE_ALL, outGroup: 9 });
    expect(keys()).toEqual(['1/1/reg0=1', '3/1/reg0=2']);
    send(t, { command: 'delete_strict', tableId: TABLE_ALL, priority: 2, match: [reg(0, 1)] });
    expect(keys()).toEqual(['1/1/reg0=1', '3/1/reg0=2']);
    send(t, { command: 'delete', tableId: TABLE_ALL, cookie: 0x300n, cookieMask: 0xf00n });
    expect(keys()).toEqual(['1/1/reg0=1']);
    send(t, { command: 'delete_strict', tableId: 1, priority: 1, match: [reg(0, 1, 0xffffffff)] });
    expect(t.flows.size).toBe(0);
  });

  it('reports the removal of flows that asked for it (SEND_FLOW_REM)', () => {
    const t = tables();
    send(t, { tableId: 1, priority: 1, cookie: 7n, flags: FlowModFlags.SEND_FLOW_REM, match: [reg(0, 1)] });
    send(t, { tableId: 1, priority: 2, match: [reg(0, 1)] });
    const r = send(t, { command: 'delete', tableId: 1 });
    expect('removed' in r && r.removed.map((x) => [flowCookie(x.flow), x.reason])).toEqual([[7n, 2]]);
  });
});

describe('what is refused', () => {
  const codes = (fields: Parameters<typeof flowMod>[0]) => {
    const r = send(tables(), fields);
    return 'refusal' in r ? [r.refusal.type, r.refusal.code] : undefined;
  };
  it('as OVS 3.1 answers (test/integration/simulator checks these against it)', () => {
    expect(codes({ match: [{ field: 'ipv4_dst', value: '10.0.0.1' }] })).toEqual([4, 9]); // BAD_PREREQ
    expect(
      codes({
        match: [
          { field: 'ip_proto', value: 6 },
          { field: 'eth_type', value: 0x800 },
        ],
      }),
    ).toEqual([4, 9]); // order
    expect(
      codes({
        match: [
          { field: 'eth_type', value: 0x800 },
          { field: 'ip_proto', value: 6 },
        ],
      }),
    ).toBeUndefined();
    expect(codes({ match: [reg(0, 1), reg(0, 2)] })).toEqual([4, 10]); // DUP_FIELD
    expect(codes({ match: [reg(0, 3, 1)] })).toEqual([4, 5]); // BAD_WILDCARDS
    expect(codes({ tableId: 254 })).toEqual([1, 5]); // EPERM
    expect(codes({ tableId: 255 })).toEqual([5, 2]); // FLOW_MOD_FAILED/BAD_TABLE_ID
    expect(codes({ command: 'modify', tableId: 255 })).toEqual([5, 2]);
    expect(codes({ command: 'delete', tableId: 255 })).toBeUndefined();
    expect(codes({ tableId: 3, instructions: [inst.gotoTable(3)] })).toEqual([3, 2]);
    expect(codes({ instructions: [inst.meter(1)] })).toEqual([12, 2]); // INVALID_METER
    expect(codes({ instructions: [inst.apply(act.group(1))] })).toEqual([2, 9]); // BAD_OUT_GROUP
    expect(codes({ bufferId: 1 })).toEqual([1, 8]); // BUFFER_UNKNOWN
    expect(codes({ instructions: [inst.apply(act.ct({ zone: 1 }))] })).toEqual([2, 10]); // MATCH_INCONSISTENT
  });
});

describe('groups and meters', () => {
  const m = (fields: Partial<MeterMod> & { meterId: number }) => ({ ...meterMod({ ...fields }), xid: 0 }) as MeterMod;

  it('deleting a group or a meter takes the flows that use it along; chained groups stay', () => {
    const t = tables();
    t.groups.apply(...groupFrame({ groupId: 1, buckets: [bucket([act.output(1)])] }));
    t.groups.apply(...groupFrame({ groupId: 2, buckets: [bucket([act.group(1)])] }));
    t.meters.apply(m({ meterId: 3, bands: [dropBand(100)] }));
    send(t, { priority: 1, instructions: [inst.apply(act.group(1))] });
    send(t, { priority: 2, instructions: [inst.meter(3)] });
    send(t, { priority: 3 });
    const deleted = t.groups.apply(...groupFrame({ command: 'delete', groupId: 1 }));
    expect(deleted).toEqual({ deleted: [1] });
    removeUsers(t.flows, 'group', [1]);
    expect(t.groups.list().map((x) => x.groupId)).toEqual([2]);
    removeUsers(t.flows, 'meter', [3]);
    expect([...t.flows.entries()].map(([k]) => k)).toEqual(['0/3/']);
  });

  it('meters: a burst of 0 reads back as the rate; exists, unknown, invalid, bad bands refused', () => {
    const t = new MeterTable();
    expect(t.apply(m({ meterId: 1, bands: [dropBand(1000)] }))).toEqual({ deleted: [] });
    expect(t.list()).toEqual([{ meterId: 1, flags: 13, bands: [{ type: 'drop', rate: 1000, burstSize: 1000 }] }]);
    expect(t.apply(m({ meterId: 1, bands: [dropBand(1)] }))).toEqual({ refusal: { type: 12, code: 1 } });
    expect(t.apply(m({ command: 'modify', meterId: 2, bands: [dropBand(1)] }))).toEqual({ refusal: { type: 12, code: 3 } });
    expect(t.apply(m({ meterId: 0, bands: [dropBand(1)] }))).toEqual({ refusal: { type: 12, code: 2 } });
    expect(t.apply(m({ meterId: 4, bands: [dropBand(0)] }))).toEqual({ refusal: { type: 12, code: 6 } });
    expect(t.apply(m({ command: 'delete', meterId: 9 }))).toEqual({ deleted: [] });
  });
});

describe('timeouts', () => {
  it('a flow expires once its hard or idle timeout has passed (no traffic: idle since made)', () => {
    const t = tables();
    const now = Date.now();
    send(t, { priority: 1, hardTimeout: 2, match: [reg(0, 1)] }, now);
    send(t, { priority: 2, idleTimeout: 5, match: [reg(0, 1)] }, now);
    const [[, hard], [, idle]] = [...t.flows.timedEntries()] as [[string, Buffer], [string, Buffer]];
    expect([expired(hard, now + 1999), expired(hard, now + 2000)]).toEqual([undefined, 'hard']);
    expect([expired(idle, now + 4999), expired(idle, now + 5000)]).toEqual([undefined, 'idle']);
  });
});
