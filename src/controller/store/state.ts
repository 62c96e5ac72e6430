// Reads of the store beyond a single resource: the logical state the pipeline computes from, the
// members' leases and the masterships, all from one replica snapshot.
import {
  byName,
  composeState,
  stateGroups,
  stateMacBindings,
  stateNodes,
  statePort,
  stateRouters,
  stateSwitches,
  type LogicalState,
  type StatePort,
} from '../../model/index.ts';
import type { ReplicaChange, ReplicaRow } from '../../ovsdb/index.ts';
import type { Snapshot, StoredResource, TableName } from './description.ts';
import { sorted } from './input.ts';
import { macBindingsOf } from './mac-bindings.ts';
import type { Mastership, MemberLease } from './membership.ts';
import { STORED } from './resources/index.ts';
import { mastershipFromRow, memberFromRow, portFromRow, type NvStoreTables } from './rows.ts';

type ReplicaTable = ReadonlyMap<string, ReplicaRow>;

const tablesOf = (d: StoredResource<{ name: string }>): TableName[] => [d.table, ...(d.children ?? []).map((c) => c.table)];

/** Each part of the logical state, with the tables it is read from. */
const PARTS = {
  nodes: { tables: tablesOf(STORED.transportNodes), read: (s: Snapshot) => stateNodes(STORED.transportNodes.read(s)) },
  switches: { tables: tablesOf(STORED.logicalSwitches), read: (s: Snapshot) => stateSwitches(STORED.logicalSwitches.read(s)) },
  routers: { tables: tablesOf(STORED.logicalRouters), read: (s: Snapshot) => stateRouters(STORED.logicalRouters.read(s)) },
  securityGroups: { tables: tablesOf(STORED.securityGroups), read: (s: Snapshot) => stateGroups(STORED.securityGroups.read(s)) },
  macBindings: { tables: ['MAC_Binding'] as TableName[], read: (s: Snapshot) => stateMacBindings(macBindingsOf(s)) },
} as const;

type Part = keyof typeof PARTS;

/** Past this many changed rows, the ports are read again in full rather than patched. */
const PATCH_LIMIT = 256;

type PortRow = ReplicaRow<NvStoreTables['Logical_Port']>;

/**
 * The logical state of the latest snapshot. Each part is rebuilt only when one of its tables
 * changed, and the ports are patched row by row: a port added to a lab of 63,000 costs what it
 * costs in a lab of ten, and the parts that did not change are the same objects as before, so
 * that what is derived from them (affected nodes, tunnels) sees at once that they are equal.
 */
export class StateCache {
  private state: LogicalState | undefined;
  private readonly parts = new Map<Part, { tables: unknown[]; value: unknown }>();
  private ports: { table: ReplicaTable | undefined; list: StatePort[]; byUuid: Map<string, StatePort> } | undefined;

  of(snapshot: Snapshot): LogicalState {
    let changed = false;
    const values = {} as Record<Part, unknown>;
    for (const [name, part] of Object.entries(PARTS) as [Part, (typeof PARTS)[Part]][]) {
      const tables = part.tables.map((t) => snapshot.tables.get(t));
      const had = this.parts.get(name);
      if (!had || tables.some((t, i) => t !== had.tables[i])) {
        this.parts.set(name, { tables, value: part.read(snapshot) });
        changed = true;
      }
      values[name] = this.parts.get(name)!.value;
    }
    const portTable = snapshot.tables.get('Logical_Port');
    let ports = this.ports;
    if (!ports || ports.table !== portTable) {
      this.ports = ports = this.readPorts(portTable);
      changed = true;
    }
    // Ports patched by `follow` since the last state count as a change too.
    if (changed || !this.state || this.state.ports !== ports.list) {
      this.state = composeState({ ...(values as Omit<Required<LogicalState>, 'ports'>), ports: ports.list });
    }
    return this.state;
  }

  /**
   * Follows one update of the replica as it comes: the ports are patched from the update's own
   * changed rows, so that a port added costs the same whatever the number of ports. Finding the
   * changed rows by comparing the tables instead (readPorts) costs a pass over every row: at
   * 6,000 ports that was 7 ms of a member's CPU per port written (members run without V8's
   * optimising compiler). `before` is the snapshot the update was applied to: ports kept for
   * another table are left for `of`, which compares the tables.
   */
  follow(changes: readonly ReplicaChange[], before: Snapshot, after: Snapshot): void {
    const table = after.tables.get('Logical_Port');
    const last = this.ports;
    if (!last || table === last.table || last.table !== before.tables.get('Logical_Port')) return;
    const rows = changes.filter((c) => c.table === 'Logical_Port');
    if (rows.length > PATCH_LIMIT || rows.length === 0) return; // `of` reads them again
    const list = last.list.slice();
    const byUuid = last.byUuid;
    for (const c of rows) {
      if (c.type !== 'insert') {
        const uuid = c.old._uuid as string;
        const gone = byUuid.get(uuid);
        if (!gone) return void (this.ports = undefined); // not the ports it had: read again
        byUuid.delete(uuid);
        const at = insertionPoint(list, gone.name);
        if (list[at] === gone) list.splice(at, 1);
      }
      if (c.type !== 'delete') {
        const port = statePort(portFromRow(c.row as PortRow));
        byUuid.set(c.row._uuid as string, port);
        list.splice(insertionPoint(list, port.name), 0, port);
      }
    }
    this.ports = { table, list, byUuid };
  }

  /** The ports of `table`, patched from the last ones when few rows changed. */
  private readPorts(table: ReplicaTable | undefined): NonNullable<StateCache['ports']> {
    const last = this.ports;
    const rows = (table ?? new Map()) as ReadonlyMap<string, PortRow>;
    const full = () => {
      const byUuid = new Map([...rows].map(([uuid, row]) => [uuid, statePort(portFromRow(row))]));
      return { table, list: [...byUuid.values()].sort(byName), byUuid };
    };
    if (!last?.table) return full();
    const before = last.table as ReadonlyMap<string, PortRow>;
    const gone = new Set<StatePort>();
    const byUuid = new Map(last.byUuid);
    const added: StatePort[] = [];
    for (const [uuid, row] of before) {
      if (rows.get(uuid) === row) continue;
      gone.add(last.byUuid.get(uuid)!);
      byUuid.delete(uuid);
      if (gone.size > PATCH_LIMIT) return full();
    }
    for (const [uuid, row] of rows) {
      if (before.get(uuid) === row) continue;
      const port = statePort(portFromRow(row));
      byUuid.set(uuid, port);
      added.push(port);
      if (added.length > PATCH_LIMIT) return full();
    }
    const list = gone.size === 0 ? [...last.list] : last.list.filter((p) => !gone.has(p));
    for (const port of added.sort(byName)) list.splice(insertionPoint(list, port.name), 0, port);
    return { table, list, byUuid };
  }
}

/** Where `name` goes in a list sorted by name (binary search). */
function insertionPoint(list: readonly StatePort[], name: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.name < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
