// FLOW_MOD with Open vSwitch's semantics. add puts the flow under its key (table, priority,
// match), replacing one there whole: cookie, timeouts, flags and age are the new flow's.
// modify and modify_strict change only the instructions of the flows they select (OpenFlow 1.3:
// no cookie change, and no add when nothing matches). delete and delete_strict honour the
// cookie mask, out_port and out_group, and table ALL. Deleting a group or meter takes the flows
// that use it along.
import { flowKeyOnce } from '../../controller/pipeline/normalize.ts';
import { FlowModFlags, FlowRemovedReason, Group, Port } from '../../openflow/constants.ts';
import type { FlowMod } from '../../openflow/messages.ts';
import { flowInstructions, reportsRemoval, storeFlow, withInstructions, type StoredFlow } from './flow-entry.ts';
import { checkFlowMod } from './flow-checks.ts';
import type { FlowTable } from './flow-table.ts';
import type { GroupTable } from './group-table.ts';
import { keyConstraints, overlaps } from './match-relations.ts';
import type { MeterTable } from './meter-table.ts';
import { Refused, type Refusal } from './refusal.ts';

export interface Tables {
  flows: FlowTable;
  groups: GroupTable;
  meters: MeterTable;
}

/** A flow that went, and why (FLOW_REMOVED's reason), for those that asked to hear of it. */
export interface Removal {
  flow: StoredFlow;
  reason: number;
}

export type FlowModOutcome = { refusal: Refusal } | { changed: boolean; removed: Removal[] };

export function applyFlowMod(t: Tables, mod: FlowMod, frame: Buffer, now: number): FlowModOutcome {
  const refusal = checkFlowMod(mod, frame, t);
  if (refusal) return { refusal };
  const strict = mod.command === 'modify_strict' || mod.command === 'delete_strict' ? { priority: mod.priority } : undefined;
  switch (mod.command) {
    case 'add': {
      const key = flowKeyOnce(mod);
      if (mod.flags & FlowModFlags.CHECK_OVERLAP && overlapsAnother(t.flows, mod, key)) return { refusal: Refused.OVERLAP };
      t.flows.put(key, storeFlow(frame, now));
      return { changed: true, removed: [] };
    }
    case 'modify':
    case 'modify_strict': {
      // out_port and out_group select only deletions (OpenFlow 1.3 section 6.4).
      const picked = t.flows.select({ ...mod, outPort: Port.ANY, outGroup: Group.ANY, ...(strict ? { strict } : {}) });
      for (const [key, f] of picked) t.flows.put(key, withInstructions(f, frame));
      return { changed: picked.length > 0, removed: [] };
    }
    case 'delete':
    case 'delete_strict': {
      const picked = t.flows.select({ ...mod, ...(strict ? { strict } : {}) });
      for (const [key] of picked) t.flows.remove(key);
      const removed = picked.filter(([, f]) => reportsRemoval(f)).map(([, flow]) => ({ flow, reason: FlowRemovedReason.DELETE }));
      return { changed: picked.length > 0, removed };
    }
  }
}

function overlapsAnother(flows: FlowTable, mod: FlowMod, key: string): boolean {
  const mine = keyConstraints(key);
  return flows.samePriority(mod.tableId, mod.priority, key).some((k) => overlaps(mine, keyConstraints(k)));
}

/** Removes the flows that use one of `ids` (groups or meters); those to report. */
export function removeUsers(flows: FlowTable, kind: 'group' | 'meter', ids: readonly number[]): Removal[] {
  if (ids.length === 0) return [];
  const gone = new Set(ids);
  const uses = (f: StoredFlow) =>
    flowInstructions(f).some((i) =>
      kind === 'meter'
        ? i.type === 'meter' && gone.has(i.meterId)
        : (i.type === 'apply_actions' || i.type === 'write_actions') && i.actions.some((a) => a.type === 'group' && gone.has(a.groupId)),
    );
  const removed: Removal[] = [];
  for (const [key, f] of [...flows.entries()]) {
    if (!uses(f)) continue;
    flows.remove(key);
    if (reportsRemoval(f)) removed.push({ flow: f, reason: kind === 'group' ? FlowRemovedReason.GROUP_DELETE : FlowRemovedReason.DELETE });
  }
  return removed;
}
