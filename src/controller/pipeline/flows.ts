// The OpenFlow 1.3 flows and groups of one transport node's br-int (docs/controller.md,
// "Pipeline"): the stages of stages/index.ts, in order, each returning its own (their tables and
// numbers: layout.ts), put together.
import type { PipelineMemo } from './memo.ts';
import { meterMods } from './meters.ts';
import { bucketsKey, flowKey } from './normalize.ts';
import { nodeContext, STAGES } from './stages/index.ts';
import { tunnelLinks } from './tunnels.ts';
import type { DesiredFlows, DesiredState, FlowModMsg, GroupModMsg, NodeFacts } from './types.ts';
import type { LogicalState } from '../../model/index.ts';

/**
 * Flows and groups for `nodeName`. Ports and tunnels whose OpenFlow port number is not in
 * `facts` yet are left out; they appear once the switch reports them. Output is free of
 * duplicate entries (first one wins) and comes in a fixed order (stages in order, within one
 * switches by VNI and ports by name), so equal inputs give equal outputs.
 *
 * With `memo` (one per node), what the previous call built is handed back where its inputs did
 * not change: the same objects, which `reconcile` passes over without comparing them.
 */
export function desiredFlows(logical: LogicalState, nodeName: string, facts: NodeFacts, memo?: PipelineMemo): DesiredFlows {
  const node = nodeContext(logical, nodeName, facts, memo);
  const flows: FlowModMsg[] = [];
  const groups: GroupModMsg[] = [];
  for (const stage of STAGES) {
    const out = stage.build(node);
    for (const f of out.flows) flows.push(f);
    for (const g of out.groups) groups.push(g);
  }
  // Groups are few (two per switch) and their buckets depend on many inputs: they are rebuilt,
  // and the previous object kept when its content is the same.
  const kept = memo ? groups.map((g) => memo.reuse(`group|${g.groupId}|${bucketsKey(g.groupType, g.buckets)}`, () => g)) : groups;
  memo?.done();
  const meters = meterMods(node);
  return { flows: dedupe(flows), groups: kept, ...(meters.length ? { meters } : {}) };
}

/** Tunnels, flows and groups of one node: everything its br-int should hold. */
export function desiredState(logical: LogicalState, nodeName: string, facts: NodeFacts): DesiredState {
  return { tunnels: tunnelLinks(logical, nodeName).map((l) => l.tunnel), ...desiredFlows(logical, nodeName, facts) };
}

// Two logical ports with one MAC on one switch (the store refuses this) or one ofport reported
// for two ports would give two flows for one entry; the first, in name order, is kept. Not
// sorted: reconcile orders what it sends, and sorting was half of a recompute's time.
function dedupe(flows: FlowModMsg[]): FlowModMsg[] {
  const seen = new Set<string>();
  const unique: FlowModMsg[] = [];
  for (const f of flows) {
    const k = flowKey(f);
    if (seen.has(k)) continue;
    seen.add(k);
    unique.push(f);
  }
  return unique;
}
