// Reads of the store beyond a single resource: the logical state the pipeline computes from, the
// members' leases and the masterships, all from one replica snapshot.
import { logicalState, type LogicalState } from '../../model/index.ts';
import type { Snapshot } from './description.ts';
import { sorted } from './input.ts';
import { macBindingsOf } from './mac-bindings.ts';
import type { Mastership, MemberLease } from './membership.ts';
import { LOGICAL_TABLES, STORED } from './resources/index.ts';
import { mastershipFromRow, memberFromRow } from './rows.ts';

/** The logical state of the latest snapshot, rebuilt only when one of its tables changed. */
export class StateCache {
  private cached: { tables: unknown[]; state: LogicalState } | undefined;

  of(snapshot: Snapshot): LogicalState {
    // Keyed by the tables the state is made of, not the snapshot: members' heartbeats change the
    // snapshot several times a second, and an unchanged state lets everything derived from it be
    // reused (the programmer computes each node's pipeline from one state object).
    const tables = LOGICAL_TABLES.map((t) => snapshot.tables.get(t));
    if (!this.cached || tables.some((t, i) => t !== this.cached!.tables[i])) {
      this.cached = {
        tables,
        state: logicalState(
          STORED.transportNodes.read(snapshot),
          STORED.logicalSwitches.read(snapshot),
          STORED.logicalPorts.read(snapshot),
          STORED.logicalRouters.read(snapshot),
          STORED.securityGroups.read(snapshot),
          macBindingsOf(snapshot),
        ),
      };
    }
    return this.cached.state;
  }
}

export function membersOf(s: Snapshot): MemberLease[] {
  return sorted(s.rows('Member').map(memberFromRow));
}

export function mastershipsOf(s: Snapshot): Mastership[] {
  return s
    .rows('Mastership')
    .map(mastershipFromRow)
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}
