import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action, FlowStats, GroupDesc, Instruction } from '../../openflow/index.ts';
import { desiredFlows } from './flows.ts';
import { floodAllGroupId, floodLocalGroupId } from './ids.ts';
import { bucketsKey, flowKey, instructionsKey } from './normalize.ts';
import { installed as recorded, reconcile } from './reconcile.ts';
import { desiredTunnels } from './tunnels.ts';
import { hv, hv1Facts, smallLab } from './test-fixtures.ts';
import type { DesiredFlows, FlowModMsg, GroupModMsg, NodeFacts } from './types.ts';
import type { Encap, LogicalState } from '../../model/index.ts';

// What OVS hands back for what we installed: OXM fields in another order, max_len 0 on outputs,
// instructions in spec order, counters and durations.
const ovsAction = (a: Action): Action => (a.type === 'output' ? { ...a, maxLen: a.maxLen ?? 0 } : a);
const INSTR_ORDER = ['meter', 'apply_actions', 'clear_actions', 'write_actions', 'write_metadata', 'goto_table', 'experimenter'];
const ovsInstructions = (list: readonly Instruction[]): Instruction[] =>
  [...list]
    .sort((a, b) => INSTR_ORDER.indexOf(a.type) - INSTR_ORDER.indexOf(b.type))
    .map((i) => (i.type === 'apply_actions' || i.type === 'write_actions' ? { ...i, actions: i.actions.map(ovsAction) } : i));
const asStats = (f: FlowModMsg): FlowStats => ({
  tableId: f.tableId,
  durationSec: 3,
  durationNsec: 0,
  priority: f.priority,
  idleTimeout: f.idleTimeout,
  hardTimeout: f.hardTimeout,
  flags: 0,
  cookie: f.cookie,
  packetCount: 5n,
  byteCount: 500n,
  match: [...f.match].reverse(),
  instructions: ovsInstructions(f.instructions),
});
const asDesc = (g: GroupModMsg): GroupDesc => ({
  groupType: g.groupType,
  groupId: g.groupId,
  buckets: g.buckets.map((b) => ({ ...b, actions: b.actions.map(ovsAction) })),
});
const asInstalled = (d: DesiredFlows) => ({ flows: d.flows.map(asStats), groups: d.groups.map(asDesc) });

/** A switch as a set of entries keyed by table+priority+match, strict about ordering mistakes. */
class ModelSwitch {
  flows = new Map<string, FlowStats>();
  groups = new Map<number, GroupDesc>();
  constructor(state: { flows: FlowStats[]; groups: GroupDesc[] }) {
    for (const f of state.flows) this.flows.set(flowKey(f), f);
    for (const g of state.groups) this.groups.set(g.groupId, g);
  }
  private groupsUsed(instructions: readonly Instruction[]): number[] {
    return instructions
      .flatMap((i) => (i.type === 'apply_actions' || i.type === 'write_actions' ? i.actions : []))
      .flatMap((a) => (a.type === 'group' ? [a.groupId] : []));
  }
  private chained(g: { buckets: readonly { actions: readonly Action[] }[] }): number[] {
    return g.buckets.flatMap((b) => b.actions).flatMap((a) => (a.type === 'group' ? [a.groupId] : []));
  }
  apply(msgs: readonly (FlowModMsg | GroupModMsg)[]): void {
    for (const m of msgs) {
      if (m.type === 'group_mod') {
        if (m.command !== 'delete') {
          for (const g of this.chained(m)) if (!this.groups.has(g)) throw new Error(`group ${m.groupId} uses missing group ${g}`);
        }
        if (m.command === 'add') {
          if (this.groups.has(m.groupId)) throw new Error(`group ${m.groupId} exists`);
          this.groups.set(m.groupId, asDesc(m));
        } else if (m.command === 'modify') {
          if (!this.groups.has(m.groupId)) throw new Error(`modify of missing group ${m.groupId}`);
          this.groups.set(m.groupId, asDesc(m));
        } else {
          for (const f of this.flows.values()) {
            if (this.groupsUsed(f.instructions).includes(m.groupId)) throw new Error(`group ${m.groupId} deleted while a flow uses it`);
          }
          for (const g of this.groups.values()) {
            if (this.chained(g).includes(m.groupId)) throw new Error(`group ${m.groupId} deleted while group ${g.groupId} uses it`);
          }
          this.groups.delete(m.groupId);
        }
        continue;
      }
      const k = flowKey(m);
      if (m.command === 'add') {
        for (const g of this.groupsUsed(m.instructions)) if (!this.groups.has(g)) throw new Error(`flow uses missing group ${g}`);
        this.flows.set(k, asStats(m));
      } else if (m.command === 'modify_strict') {
        const old = this.flows.get(k);
        if (!old) throw new Error(`modify_strict of a missing flow ${k}`);
        for (const g of this.groupsUsed(m.instructions)) if (!this.groups.has(g)) throw new Error(`flow uses missing group ${g}`);
        this.flows.set(k, { ...old, instructions: ovsInstructions(m.instructions) }); // cookie unchanged, as in 1.3
      } else if (m.command === 'delete_strict') {
        if (!this.flows.delete(k)) throw new Error(`delete_strict of a missing flow ${k}`);
      } else throw new Error(`unexpected command ${m.command}`);
    }
  }
  state() {
    return { flows: [...this.flows.values()], groups: [...this.groups.values()] };
  }
  /** Comparable content: entry key → cookie + instructions, group id → buckets. */
  content() {
    return {
      flows: Object.fromEntries([...this.flows].map(([k, f]) => [k, `${f.cookie}|${instructionsKey(f.instructions)}`]).sort()),
      groups: Object.fromEntries([...this.groups].map(([id, g]) => [id, bucketsKey(g.groupType, g.buckets)]).sort()),
    };
  }
}

const facts1 = hv1Facts();

describe('reconcile', () => {
  it('identical (as read back from OVS) → no messages', () => {
    const d = desiredFlows(smallLab(), 'hv1', facts1);
    expect(reconcile(d, asInstalled(d))).toEqual([]);
  });

  it('one port added → only its flows and the groups of its switch', () => {
    const before = desiredFlows(smallLab(), 'hv1', facts1);
    const lab = smallLab();
    lab.ports = [...lab.ports, { name: 'web-n', switch: 'web', mac: '02:00:00:00:00:1a', node: 'hv1' }];
    const facts: NodeFacts = { ...facts1, vmPorts: new Map([...facts1.vmPorts, ['web-n', 7]]) };
    const msgs = reconcile(desiredFlows(lab, 'hv1', facts), asInstalled(before));
    const summary = msgs.map((m) =>
      m.type === 'group_mod' ? `group ${m.command} ${m.groupId}` : `flow ${m.command} t${m.tableId} p${m.priority}`,
    );
    expect(summary).toEqual([
      `group modify ${floodLocalGroupId(100)}`,
      `group modify ${floodAllGroupId(100)}`,
      'flow add t0 p100',
      'flow add t10 p110',
    ]);
    expect(msgs[2]).toMatchObject({ match: [{ field: 'in_port', value: 7 }] });
  });

  it('one port removed → only deletes (and its switch groups shrink)', () => {
    const before = desiredFlows(smallLab(), 'hv1', facts1);
    const lab = smallLab();
    lab.ports = lab.ports.filter((p) => p.name !== 'web-b');
    const msgs = reconcile(desiredFlows(lab, 'hv1', facts1), asInstalled(before));
    const flowMsgs = msgs.filter((m) => m.type === 'flow_mod');
    expect(flowMsgs.map((m) => m.command)).toEqual(['delete_strict', 'delete_strict']);
    expect(msgs.filter((m) => m.type === 'group_mod').map((m) => m.command)).toEqual(['modify', 'modify']);
  });

  it('service-node mode: the failover group is added before the group that chains to it, and deleted after', () => {
    const withSn = (replication: 'source' | 'service-node'): LogicalState => {
      const lab = smallLab();
      lab.nodes = [...lab.nodes, { name: 'sn1', role: 'service-node', encap: 'geneve', underlayIp: '192.0.2.9' }];
      lab.switches = lab.switches.map((s) => (s.name === 'web' ? { ...s, replication } : s));
      return lab;
    };
    const facts: NodeFacts = { ...facts1, tunnelPorts: new Map([...facts1.tunnelPorts, ['tun-sn1-gnv', 12]]) };
    const src = desiredFlows(withSn('source'), 'hv1', facts);
    const sn = desiredFlows(withSn('service-node'), 'hv1', facts);
    const groupMsgs = (msgs: readonly (FlowModMsg | GroupModMsg)[]) =>
      msgs.flatMap((m) => (m.type === 'group_mod' ? [`${m.command} ${m.groupId.toString(16)}`] : []));
    expect(groupMsgs(reconcile(sn, { flows: [], groups: [] }))).toEqual(['add 64', 'add c8', 'add 10000c8', 'add 2000064', 'add 1000064']);
    expect(groupMsgs(reconcile(sn, asInstalled(src)))).toEqual(['add 2000064', 'modify 1000064']);
    expect(groupMsgs(reconcile(src, asInstalled(sn)))).toEqual(['modify 1000064', 'delete 2000064']);
    expect(groupMsgs(reconcile({ flows: [], groups: [] }, asInstalled(sn))).slice(0, 2)).toEqual(['delete 1000064', 'delete 64']);
    const model = new ModelSwitch(asInstalled(src));
    model.apply(reconcile(sn, model.state()));
    model.apply(reconcile({ flows: [], groups: [] }, model.state()));
    expect(model.state()).toEqual({ flows: [], groups: [] });
  });

  it('a switch removed from the node: its flows go before its groups', () => {
    const before = desiredFlows(smallLab(), 'hv1', facts1);
    const lab = smallLab();
    lab.ports = lab.ports.filter((p) => p.switch !== 'db');
    const msgs = reconcile(desiredFlows(lab, 'hv1', { ...facts1, tunnelPorts: new Map([['tun-hv2-gnv', 10]]) }), asInstalled(before));
    const lastFlow = msgs.map((m) => m.type).lastIndexOf('flow_mod');
    const groupDels = msgs.flatMap((m, i) => (m.type === 'group_mod' && m.command === 'delete' ? [i] : []));
    expect(groupDels).toHaveLength(2);
    expect(Math.min(...groupDels)).toBeGreaterThan(lastFlow);
    expect(msgs.filter((m) => m.type === 'flow_mod').every((m) => m.command === 'delete_strict')).toBe(true);
  });

  it('changed instructions → modify_strict; changed cookie → add (replaces); foreign flows in our tables → delete; other tables untouched', () => {
    const d = desiredFlows(smallLab(), 'hv1', facts1);
    const installed = asInstalled(d);
    const i0 = installed.flows.findIndex((f) => f.tableId === 10 && f.priority === 110);
    installed.flows[i0] = {
      ...installed.flows[i0]!,
      instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: 42, maxLen: 0 }] }],
    };
    const i1 = installed.flows.findIndex((f) => f.tableId === 20 && f.priority === 100);
    installed.flows[i1] = { ...installed.flows[i1]!, cookie: 0x1234n };
    const stranger = { ...installed.flows[0]!, tableId: 0, priority: 7, match: [{ field: 'in_port', value: 77 }] } as FlowStats;
    const elsewhere = { ...stranger, tableId: 40 };
    const msgs = reconcile(d, { flows: [...installed.flows, stranger, elsewhere], groups: installed.groups });
    expect(msgs.map((m) => m.type === 'flow_mod' && `${m.command} t${m.tableId} p${m.priority}`)).toEqual([
      'delete_strict t0 p7',
      'modify_strict t10 p110',
      'add t20 p100',
    ]);
  });

  it('groups outside the pipeline range are left alone; changed buckets → modify; order of buckets in an all-group does not matter', () => {
    const d = desiredFlows(smallLab(), 'hv1', facts1);
    const installed = asInstalled(d);
    installed.groups = installed.groups.map((g) => ({ ...g, buckets: [...g.buckets].reverse() }));
    installed.groups.push({ groupId: 0x7000000, groupType: 'all', buckets: [] });
    expect(reconcile(d, installed)).toEqual([]);
    installed.groups[0] = { ...installed.groups[0]!, buckets: [] };
    expect(reconcile(d, installed).map((m) => m.type === 'group_mod' && m.command)).toEqual(['modify']);
  });

  it('normalisation: MAC case, all-ones masks, zero masks, value bits outside the mask', () => {
    const d = desiredFlows(smallLab(), 'hv1', facts1);
    const installed = asInstalled(d);
    installed.flows = installed.flows.map((f) => ({
      ...f,
      match: f.match
        .map((m) =>
          m.field === 'eth_dst' && m.mask === undefined
            ? { ...m, value: m.value.toUpperCase(), mask: 'ff:ff:ff:ff:ff:ff' }
            : m.field === 'eth_dst'
              ? { ...m, value: '00:00:00:00:00:00' }
              : m,
        )
        .concat([{ field: 'reg3', value: 9, mask: 0 }]),
    }));
    expect(reconcile(d, installed)).toEqual([]);
  });
});

describe('reconcile, property: the switch ends up holding exactly what is desired', () => {
  const NODES = ['hv1', 'hv2', 'hv3', 'sn1'];
  const SWITCHES = [
    { name: 's1', vni: 11 },
    { name: 's2', vni: 12 },
    { name: 's3', vni: 0x123456 },
  ];
  const encap = fc.constantFrom<Encap>('geneve', 'vxlan', 'gre');
  const portArb = fc.record({
    sw: fc.constantFrom(...SWITCHES.map((s) => s.name)),
    node: fc.option(fc.constantFrom('hv1', 'hv2', 'hv3', 'ghost'), { nil: undefined }),
    mac: fc.integer({ min: 1, max: 6 }),
    upper: fc.boolean(),
  });
  const stateArb = fc
    .record({
      encaps: fc.tuple(encap, encap, encap),
      replication: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
      ports: fc.array(portArb, { maxLength: 10 }),
      knownVm: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
      knownTunnel: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      ofportBase: fc.integer({ min: 1, max: 3 }),
      node: fc.constantFrom('hv1', 'sn1'),
      twoServiceNodes: fc.boolean(),
    })
    .map(({ encaps, replication, ports, knownVm, knownTunnel, ofportBase, node, twoServiceNodes }) => {
      const seen = new Set<string>();
      const logical: LogicalState = {
        nodes: [...NODES, ...(twoServiceNodes ? ['sn2'] : [])].map((n, i) =>
          n.startsWith('sn')
            ? { name: n, role: 'service-node' as const, encap: 'geneve' as const, underlayIp: `192.0.2.${9 + i}` }
            : hv(n, `192.0.2.${i + 1}`),
        ),
        switches: SWITCHES.map((s, i) => ({
          ...s,
          encap: encaps[i]!,
          replication: replication[i] ? ('source' as const) : ('service-node' as const),
        })),
        ports: ports.flatMap((p, i) => {
          const mac = `02:00:00:00:0${p.mac}:aa`;
          if (seen.has(`${p.sw}/${mac}`)) return []; // the store refuses duplicate MACs on a switch
          seen.add(`${p.sw}/${mac}`);
          return [
            { name: `p${i}`, switch: p.sw, mac: p.upper ? mac.toUpperCase() : mac, ...(p.node === undefined ? {} : { node: p.node }) },
          ];
        }),
      };
      const vmPorts = new Map(
        logical.ports.filter((p, i) => p.node === 'hv1' && knownVm[i]).map((p, i) => [p.name, ofportBase + i] as const),
      );
      const tunnelPorts = new Map(
        desiredTunnels(logical, node)
          .filter((_t, i) => knownTunnel[i])
          .map((t, i) => [t.name, 100 + ofportBase * 10 + i] as const),
      );
      return desiredFlows(logical, node, { vmPorts: node === 'hv1' ? vmPorts : new Map(), tunnelPorts });
    });

  it('apply(reconcile(desired(B), installed(desired(A)))) to A = installed(desired(B)), then reconcile is empty', () => {
    fc.assert(
      fc.property(stateArb, stateArb, (a, b) => {
        const sw = new ModelSwitch(asInstalled(a));
        sw.apply(reconcile(b, sw.state()));
        expect(sw.content()).toEqual(new ModelSwitch(asInstalled(b)).content());
        expect(reconcile(b, sw.state())).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("a master's own record of what it installed gives the same changes as reading the switch back", () => {
    fc.assert(
      fc.property(stateArb, stateArb, (a, b) => {
        const fromRecord = new ModelSwitch(asInstalled(a));
        fromRecord.apply(reconcile(b, recorded(a)));
        expect(fromRecord.content()).toEqual(new ModelSwitch(asInstalled(b)).content());
        expect(reconcile(a, recorded(a))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  // Someone else's entries: flows in our tables are removed, flows in other tables and groups
  // outside our id range survive untouched.
  const foreignArb = fc.array(
    fc.record({
      tableId: fc.constantFrom(0, 10, 20, 40),
      priority: fc.integer({ min: 1, max: 200 }),
      port: fc.integer({ min: 1, max: 4 }),
    }),
    { maxLength: 5 },
  );
  it('with foreign entries on the switch: ours become exactly B, theirs outside our tables and groups stay', () => {
    fc.assert(
      fc.property(stateArb, stateArb, foreignArb, (a, b, foreign) => {
        const junk: FlowStats[] = foreign.map((j) => ({
          ...asStats({
            ...a.flows[0]!,
            tableId: j.tableId,
            priority: j.priority,
            cookie: 0xdeadn,
            match: [{ field: 'reg3', value: j.port }],
          }),
          instructions: [{ type: 'apply_actions', actions: [{ type: 'group', groupId: 0x7000000 }] }],
        }));
        const theirGroup: GroupDesc = { groupId: 0x7000000, groupType: 'all', buckets: [] };
        const installed = asInstalled(a);
        const sw = new ModelSwitch({ flows: [...installed.flows, ...junk], groups: [...installed.groups, theirGroup] });
        sw.apply(reconcile(b, sw.state()));
        const expected = new ModelSwitch({
          flows: [...asInstalled(b).flows, ...junk.filter((j) => j.tableId === 40)],
          groups: [...asInstalled(b).groups, theirGroup],
        });
        expect(sw.content()).toEqual(expected.content());
        expect(reconcile(b, sw.state())).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
