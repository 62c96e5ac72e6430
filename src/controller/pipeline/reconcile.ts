// The smallest set of flow-mods and group-mods that turns what a switch has into what it should
// have, without wiping anything: a new master keeps traffic flowing while it takes over.
import { flowMod, groupMod, type FlowStats, type GroupDesc } from '../../openflow/index.ts';
import { isPipelineGroup, isTraceCookie } from './ids.ts';
import { PIPELINE_TABLES } from './layout.ts';
import { bucketsKey, flowKey, instructionsKey } from './normalize.ts';
import type { DesiredFlows, FlowModMsg, GroupModMsg } from './types.ts';

/** A flow as far as reconciling goes: what flow stats report, without the counters. */
export type ActualFlow = Pick<FlowStats, 'tableId' | 'priority' | 'match' | 'cookie' | 'idleTimeout' | 'hardTimeout' | 'instructions'>;

/** What the switch has: flow stats and group descriptions as the library decodes them, or what
 *  a master knows it installed (see `installed`). */
export interface ActualFlows {
  flows: readonly ActualFlow[];
  groups: readonly GroupDesc[];
}

/** What a switch holds once `desired` has been installed on it: lets a master reconcile the next
 *  change against its own record instead of reading the switch again. */
export function installed(desired: DesiredFlows): ActualFlows {
  // The desired objects themselves (never mutated): their canonical keys are cached on them, so
  // the next reconcile against this record computes keys only for what is new.
  return { flows: desired.flows, groups: desired.groups };
}

const PIPELINE_TABLE_SET = new Set(PIPELINE_TABLES);

/** What reconcile, with its default options, looks at on a switch: the flows of the pipeline's
 *  tables but for traces', and the pipeline's groups. A fingerprint of a switch's tables covers
 *  these, so that learned flows and traces coming and going do not count as changes. */
export const reconciledFlow = (tableId: number, cookie: bigint): boolean => PIPELINE_TABLE_SET.has(tableId) && !isTraceCookie(cookie);
export const reconciledGroup = isPipelineGroup;

export interface ReconcileOptions {
  /** Tables whose unknown flows are deleted; flows in other tables are never touched. */
  tables?: readonly number[];
  /** Groups this pipeline owns; others are never touched. */
  ownsGroup?: (groupId: number) => boolean;
}

/**
 * Messages that make `actual` equal to `desired`, in a safe order: groups are added and modified
 * first (flows may reference them), then flows are deleted, modified and added, and groups are
 * deleted last, once no flow references them. A flow whose instructions changed is modified in
 * place (its counters survive); one whose cookie or timeouts changed is re-added, which in
 * OpenFlow 1.3 replaces the entry atomically (modify never changes a cookie).
 *
 * An object found in both `desired` and `actual` is the same entry, unchanged (they are never
 * mutated): reconciling against `installed(previous)` with a PipelineMemo compares only what the
 * memo did not hand back.
 */
export function reconcile(desired: DesiredFlows, actual: ActualFlows, options: ReconcileOptions = {}): (FlowModMsg | GroupModMsg)[] {
  const tables = new Set(options.tables ?? PIPELINE_TABLES);
  const ownsGroup = options.ownsGroup ?? isPipelineGroup;

  // A group that outputs to another group (flood-all → service-node failover) needs that one to
  // exist first and to go away after it: order by chaining depth, then id.
  const chains = (g: Pick<GroupDesc, 'buckets'>) => (g.buckets.some((b) => b.actions.some((a) => a.type === 'group')) ? 1 : 0);
  const byDepth = (a: GroupModMsg, b: GroupModMsg) => chains(a) - chains(b) || a.groupId - b.groupId;

  const sharedGroups = shared(desired.groups, actual.groups);
  const haveGroups = new Map(actual.groups.filter((g) => ownsGroup(g.groupId) && !sharedGroups.has(g)).map((g) => [g.groupId, g]));
  const wantGroups = new Map(desired.groups.filter((g) => !sharedGroups.has(g)).map((g) => [g.groupId, g]));
  const groupAdds: GroupModMsg[] = [];
  const groupMods: GroupModMsg[] = [];
  const groupDels: GroupModMsg[] = [];
  for (const [id, g] of [...wantGroups].sort((a, b) => a[0] - b[0])) {
    const have = haveGroups.get(id);
    if (!have) groupAdds.push(groupMod({ command: 'add', groupId: id, groupType: g.groupType, buckets: g.buckets }));
    else if (bucketsKey(have.groupType, have.buckets) !== bucketsKey(g.groupType, g.buckets)) {
      groupMods.push(groupMod({ command: 'modify', groupId: id, groupType: g.groupType, buckets: g.buckets }));
    }
  }
  const keptGroups = new Set([...sharedGroups].map((g) => g.groupId));
  for (const [id, g] of [...haveGroups].sort((a, b) => a[0] - b[0])) {
    if (!wantGroups.has(id) && !keptGroups.has(id)) groupDels.push(groupMod({ command: 'delete', groupId: id, groupType: g.groupType }));
  }
  groupAdds.sort(byDepth);
  groupMods.sort(byDepth);
  const depthOfHave = (m: GroupModMsg) => chains(haveGroups.get(m.groupId)!);
  groupDels.sort((a, b) => depthOfHave(b) - depthOfHave(a) || a.groupId - b.groupId);

  const sharedFlows = shared<ActualFlow>(desired.flows, actual.flows);
  // A traceflow's shadow flows (cookie kind TRACE) live beside the pipeline's while a trace runs.
  const have = new Map(
    actual.flows.filter((f) => tables.has(f.tableId) && !sharedFlows.has(f) && !isTraceCookie(f.cookie)).map((f) => [flowKey(f), f]),
  );
  const want = new Map(desired.flows.filter((f) => !(sharedFlows.has(f) && tables.has(f.tableId))).map((f) => [flowKey(f), f]));
  type Keyed = [key: string, msg: FlowModMsg];
  const flowDels: Keyed[] = [];
  const flowMods: Keyed[] = [];
  const flowAdds: Keyed[] = [];
  for (const [k, f] of want) {
    const h = have.get(k);
    const add = (): Keyed => [k, flowMod({ ...f, command: 'add', cookieMask: 0n })];
    if (!h) flowAdds.push(add());
    else if (h.cookie !== f.cookie || h.idleTimeout !== f.idleTimeout || h.hardTimeout !== f.hardTimeout) flowAdds.push(add());
    else if (instructionsKey(h.instructions) !== instructionsKey(f.instructions)) {
      flowMods.push([k, flowMod({ ...f, command: 'modify_strict', cookieMask: 0n })]);
    }
  }
  for (const [k, h] of have) {
    if (!want.has(k)) flowDels.push([k, flowMod({ command: 'delete_strict', tableId: h.tableId, priority: h.priority, match: h.match })]);
  }
  const sorted = (list: Keyed[]) =>
    list.sort(([ka, a], [kb, b]) => a.tableId - b.tableId || b.priority - a.priority || (ka < kb ? -1 : 1)).map(([, m]) => m);
  return [...groupAdds, ...groupMods, ...sorted(flowDels), ...sorted(flowMods), ...sorted(flowAdds), ...groupDels];
}

/** Objects that are in both lists. */
function shared<T>(desired: readonly T[], actual: readonly T[]): Set<T> {
  const wanted = new Set(desired);
  const both = new Set<T>();
  for (const a of actual) if (wanted.has(a)) both.add(a);
  return both;
}
