// The switch's flows, keyed as Open vSwitch keys them: table, priority and match (the pipeline's
// flowKey, so "the same flow" is what reconciliation means by it), each the bytes that made it.
import { flowKeyOnce } from '../../controller/pipeline/normalize.ts';
import { Group, Port, TABLE_ALL } from '../../openflow/constants.ts';
import type { FlowMod } from '../../openflow/messages.ts';
import { cookieMatches, flowInstructions, flowPriority, flowTable, hasTimeout, type StoredFlow } from './flow-entry.ts';
import { isWithin, keyConstraints, matchConstraints } from './match-relations.ts';

/** Which flows a modify, delete or flow-stats request selects. */
export interface Selection {
  tableId: number;
  cookie: bigint;
  cookieMask: bigint;
  /** Port.ANY: any. */
  outPort: number;
  /** Group.ANY: any. */
  outGroup: number;
  match: FlowMod['match'];
  /** Strict: exactly this priority and match; otherwise every flow within the match. */
  strict?: { priority: number };
}

/** Whether the flow outputs to `port` or to group `group` (OpenFlow's out_port/out_group). */
function sendsTo(f: StoredFlow, port: number, group: number): boolean {
  if (port === Port.ANY && group === Group.ANY) return true;
  let toPort = port === Port.ANY;
  let toGroup = group === Group.ANY;
  for (const i of flowInstructions(f)) {
    if (i.type !== 'apply_actions' && i.type !== 'write_actions') continue;
    for (const a of i.actions) {
      if (a.type === 'output' && a.port === port) toPort = true;
      if (a.type === 'group' && a.groupId === group) toGroup = true;
    }
  }
  return toPort && toGroup;
}

export class FlowTable {
  private readonly flows = new Map<string, StoredFlow>();
  /** Keys of the flows with a timeout: the only ones expiry looks at. */
  private readonly timed = new Set<string>();

  get size(): number {
    return this.flows.size;
  }

  /** Flows with a timeout are here. */
  get hasTimed(): boolean {
    return this.timed.size > 0;
  }

  get(key: string): StoredFlow | undefined {
    return this.flows.get(key);
  }

  entries(): IterableIterator<[string, StoredFlow]> {
    return this.flows.entries();
  }

  timedEntries(): [string, StoredFlow][] {
    return [...this.timed].flatMap((k) => {
      const f = this.flows.get(k);
      return f ? [[k, f] as [string, StoredFlow]] : [];
    });
  }

  /** Adds or replaces the flow under its key; the one it replaced, if any. */
  put(key: string, flow: StoredFlow): StoredFlow | undefined {
    const old = this.flows.get(key);
    this.flows.set(key, flow);
    if (hasTimeout(flow)) this.timed.add(key);
    else this.timed.delete(key);
    return old;
  }

  remove(key: string): StoredFlow | undefined {
    const old = this.flows.get(key);
    this.flows.delete(key);
    this.timed.delete(key);
    return old;
  }

  clear(): void {
    this.flows.clear();
    this.timed.clear();
  }

  /** The flows a selection picks, with their keys. */
  select(sel: Selection): [string, StoredFlow][] {
    const picked: [string, StoredFlow][] = [];
    const fits = (f: StoredFlow) => cookieMatches(f, sel.cookie, sel.cookieMask) && sendsTo(f, sel.outPort, sel.outGroup);
    if (sel.strict) {
      const place = { tableId: sel.tableId, priority: sel.strict.priority, match: sel.match };
      if (sel.tableId !== TABLE_ALL) {
        const key = flowKeyOnce(place);
        const f = this.flows.get(key);
        if (f && fits(f)) picked.push([key, f]);
        return picked;
      }
      const suffix = flowKeyOnce({ ...place, tableId: 0 }).slice(2); // `priority/match`
      for (const [key, f] of this.flows) if (key.slice(key.indexOf('/') + 1) === suffix && fits(f)) picked.push([key, f]);
      return picked;
    }
    const within = matchConstraints(sel.match);
    for (const [key, f] of this.flows) {
      if (sel.tableId !== TABLE_ALL && flowTable(f) !== sel.tableId) continue;
      if (!cookieMatches(f, sel.cookie, sel.cookieMask)) continue;
      if (within.size > 0 && !isWithin(keyConstraints(key), within)) continue;
      if (sendsTo(f, sel.outPort, sel.outGroup)) picked.push([key, f]);
    }
    return picked;
  }

  /** Flows of `tableId` at `priority` other than `key`, with their keys (CHECK_OVERLAP's). */
  samePriority(tableId: number, priority: number, key: string): string[] {
    const out: string[] = [];
    for (const [k, f] of this.flows) if (k !== key && flowTable(f) === tableId && flowPriority(f) === priority) out.push(k);
    return out;
  }
}
