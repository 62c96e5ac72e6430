import { describe, expect, it } from 'vitest';
import { desiredFlows, desiredTunnels, flowKey, instructionsKey, type ActualFlow, type NodeFacts } from '../controller/pipeline/index.ts';
import { logicalState, LogicalPortSchema, LogicalSwitchSchema, TransportNodeSchema, type LogicalState } from '../model/index.ts';
import { act, inst } from '../openflow/index.ts';
import { Checker, describeMismatches, mismatches, type FlowTableView, type NodeHolding } from './check.ts';
import { vifsByNode, workload } from './workload.ts';

const w = workload({ nodes: 6, vifsPerNode: 4 });
const state: LogicalState = logicalState(
  w.nodes.map((n) => TransportNodeSchema.parse(n)),
  w.switches.map((s) => LogicalSwitchSchema.parse(s)),
  w.ports.map((p) => LogicalPortSchema.parse(p)),
);
const vifs = vifsByNode(w.ports);

/** A node's facts as its database would report them: VIFs from 1, tunnels from 100. */
function factsOf(node: string, except: string[] = []): NodeFacts {
  const vmPorts = new Map((vifs.get(node) ?? []).filter((p) => !except.includes(p)).map((p, i) => [p, i + 1]));
  const tunnelPorts = new Map(desiredTunnels(state, node).map((t, i) => [t.name, 100 + i]));
  return { vmPorts, tunnelPorts };
}

/** What a switch would report once the pipeline's flows are in: copies, not the same objects. */
function holding(node: string, facts = factsOf(node), logical = state): NodeHolding & { flows: ActualFlow[] } {
  const desired = desiredFlows(logical, node, facts);
  return {
    name: node,
    facts,
    tunnels: desiredTunnels(logical, node).map((t) => ({ name: t.name, type: t.encap, remoteIp: t.remoteIp })),
    flows: desired.flows.map((f) => ({ ...f, match: f.match.map((m) => ({ ...m })), instructions: [...f.instructions] })),
    groups: desired.groups.map((g) => ({ groupType: g.groupType, groupId: g.groupId, buckets: [...g.buckets] })),
  };
}

describe('Checker', () => {
  it('finds every node correct when it holds what the pipeline computes, again and again', () => {
    const checker = new Checker();
    const nodes = w.nodes.map((n) => holding(n.name));
    expect(nodes.every((n) => n.flows.length > 10 && n.groups.length > 0 && n.tunnels.length > 0)).toBe(true);
    expect(checker.checkAll(state, nodes)).toEqual({ checked: 6, wrong: [] });
    expect(checker.checkAll(state, nodes).wrong).toEqual([]);
  });

  it('counts flows missing, changed and extra, in any table', () => {
    const node = holding('sim1');
    const [dropped, changed, ...rest] = node.flows;
    const other = { ...changed!, instructions: [inst.apply(act.output(77))] };
    const extra = { ...rest[0]!, tableId: 99 };
    const m = new Checker().check(state, { ...node, flows: [other, ...rest, extra] });
    expect(dropped).toBeDefined();
    expect(m).toMatchObject({ node: 'sim1', flowsMissing: 1, flowsChanged: 1, flowsExtra: 1, groupsMissing: 0, tunnels: 0 });
    expect(mismatches(m!)).toBe(3);
    expect(describeMismatches([m!])).toEqual(['sim1: 1 flows missing, 1 flows changed, 1 flows extra']);
  });

  it('takes a table that looks flows up (a simulated switch) as a list: equal when it holds each flow and no more', () => {
    const node = holding('sim5');
    const view = (flows: ActualFlow[]): FlowTableView => {
      const byKey = new Map(flows.map((f) => [flowKey(f), f]));
      return {
        count: byKey.size,
        has: (f) => {
          const h = byKey.get(flowKey(f));
          return h !== undefined && h.cookie === f.cookie && instructionsKey(h.instructions) === instructionsKey(f.instructions);
        },
        all: () => [...byKey.values()],
      };
    };
    const checker = new Checker();
    expect(checker.check(state, { ...node, flows: view(node.flows) })).toBeUndefined();
    const [, ...fewer] = node.flows;
    const extra = { ...node.flows[1]!, tableId: 99 };
    expect(checker.check(state, { ...node, flows: view([...fewer, extra]) })).toMatchObject({ flowsMissing: 1, flowsExtra: 1 });
    const other = { ...node.flows[2]!, cookie: 7n };
    expect(checker.check(state, { ...node, flows: view([...node.flows.filter((f) => f !== node.flows[2]), other]) })).toMatchObject({
      flowsMissing: 1,
      flowsExtra: 0,
    });
  });

  it('counts groups missing, changed and extra', () => {
    const node = holding('sim2');
    const [first, second, ...rest] = node.groups;
    expect(second).toBeDefined();
    const groups = [{ ...second!, buckets: [] }, ...rest, { ...first!, groupId: 0x3ffffff }];
    const m = new Checker().check(state, { ...node, groups });
    expect(m).toMatchObject({ groupsMissing: 1, groupsChanged: 1, groupsExtra: 1, flowsMissing: 0 });
  });

  it('counts tunnels missing, extra or pointing elsewhere, and wanted ports without an OpenFlow port', () => {
    const node = holding('sim3');
    const [gone, moved, ...rest] = node.tunnels;
    expect(gone).toBeDefined();
    const tunnels = [{ ...moved!, remoteIp: '192.0.2.1' }, ...rest, { name: 'tun-nowhere', type: 'geneve', remoteIp: '192.0.2.2' }];
    expect(new Checker().check(state, { ...node, tunnels })).toMatchObject({ tunnels: 3, portsMissing: 0 });
    const vif = vifs.get('sim3')![0]!;
    const facts = factsOf('sim3', [vif]);
    expect(new Checker().check(state, holding('sim3', facts))).toMatchObject({ portsMissing: 1, flowsMissing: 0 });
  });

  it('takes a port whose VIF its node does not report as down, as the members do: other nodes must not send to it', () => {
    const vif = w.ports.find((p) => p.node === 'sim4')!;
    const peer = w.ports.find((p) => p.switch === vif.switch && p.node !== 'sim4')!.node!;
    const checker = new Checker();
    const facts = new Map(w.nodes.map((n) => [n.name, factsOf(n.name, n.name === 'sim4' ? [vif.name] : [])]));
    // The peer still holds its unicast flow towards the VIF: one flow too many.
    const stale = holding(peer, facts.get(peer));
    const nodes = w.nodes.map((n) => (n.name === peer ? stale : holding(n.name, facts.get(n.name))));
    const result = checker.checkAll(state, nodes);
    const byNode = new Map(result.wrong.map((m) => [m.node, m]));
    expect(byNode.get(peer)).toMatchObject({ flowsExtra: 1 });
    // Once every node holds what the members compute with the port down, only the VIF's own node
    // is short of something: the VIF itself.
    const down = checker.programmedState(state, facts);
    expect(down.ports.find((p) => p.name === vif.name)?.up).toBe(false);
    const fixed = checker.checkAll(
      state,
      w.nodes.map((n) => holding(n.name, facts.get(n.name), down)),
    );
    expect(fixed.wrong).toEqual([expect.objectContaining({ node: 'sim4', portsMissing: 1, flowsMissing: 0, flowsExtra: 0 })]);
  });
});
