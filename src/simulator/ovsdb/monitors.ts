// Monitors (RFC 7047 4.1.5, and ovsdb-server's monitor_cond and monitor_cond_since): what a
// request watches, parsed once and shared by every connection that sends the same request (each
// member sends the same one to thousands of nodes), and the table-updates ovsdb-server would
// send: `update` (monitor: whole rows, old values of changed columns) or `update2` (the others:
// non-empty columns of new rows, diffs of modified ones).
import { datumEquals, datumText, diffDatum } from './datum.ts';
import type { Change, Database } from './database.ts';
import { columnOf, fieldOf, matches, parseConditions, type Clause } from './conditions.ts';
import { OpError, syntaxError } from './op-error.ts';
import type { Row } from './rows.ts';
import type { ColumnInfo, DbInfo, TableInfo } from './schema.ts';
import { formatUuid } from './uuids.ts';

export type MonitorMethod = 'monitor' | 'monitor_cond' | 'monitor_cond_since';

interface Select {
  initial: boolean;
  insert: boolean;
  delete: boolean;
  modify: boolean;
}

export interface MonitoredTable {
  table: TableInfo;
  columns: ColumnInfo[];
  select: Select;
  where: Clause[] | undefined;
}

export interface MonitorSpec {
  method: MonitorMethod;
  tables: MonitoredTable[];
  /** Names this spec among those parsed (the key of encodings cached for it). */
  serial: number;
}

/**
 * Table-updates written as JSON text as they are made: per table, its rows' `"uuid":{...}`
 * members. (As objects, thousands of nodes' row UUIDs would each become a property name, which
 * V8 interns: that cost more than everything else of an update.)
 */
class TableUpdates {
  private readonly tables = new Map<string, string[]>();

  /** A row's update, given as JSON text. */
  add(table: string, id: number, update: string): void {
    let rows = this.tables.get(table);
    if (!rows) this.tables.set(table, (rows = []));
    rows.push(`"${formatUuid(id)}":${update}`);
  }

  get isEmpty(): boolean {
    return this.tables.size === 0;
  }

  toString(): string {
    const tables: string[] = [];
    for (const [table, rows] of this.tables) tables.push(`${JSON.stringify(table)}:{${rows.join(',')}}`);
    return `{${tables.join(',')}}`;
  }
}

const specs = new Map<string, MonitorSpec>();
let serials = 0;

/** The monitor requests of a monitor, monitor_cond or monitor_cond_since call (its third param). */
export function parseMonitor(info: DbInfo, method: MonitorMethod, json: unknown): MonitorSpec {
  const key = `${method} ${JSON.stringify(json)}`;
  const known = specs.get(key);
  if (known) return known;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw syntaxError('monitor requests are not an object', json);
  const tables: MonitoredTable[] = [];
  for (const [name, requests] of Object.entries(json as Record<string, unknown>)) {
    const table = info.tables.get(name);
    if (!table) throw new OpError('syntax error', `no table named ${name}`);
    for (const request of Array.isArray(requests) ? requests : [requests]) tables.push(parseRequest(table, method, request));
  }
  if (specs.size >= 1000) specs.clear();
  const spec = { method, tables, serial: ++serials };
  specs.set(key, spec);
  return spec;
}

function parseRequest(table: TableInfo, method: MonitorMethod, json: unknown): MonitoredTable {
  const r = (json ?? {}) as Record<string, unknown>;
  if (typeof r !== 'object' || Array.isArray(r)) throw syntaxError('monitor request is not an object', json);
  let columns: ColumnInfo[];
  if (r.columns === undefined) columns = [columnOf(table, '_version', undefined), ...table.columns];
  else {
    if (!Array.isArray(r.columns)) throw syntaxError('"columns" is not an array', r.columns);
    columns = r.columns.map((c: unknown) => {
      if (typeof c !== 'string' || c === '_uuid' || !(c === '_version' || table.byName.has(c))) {
        throw syntaxError(`${String(c)} is not a valid column name`, r.columns);
      }
      return columnOf(table, c, r.columns);
    });
  }
  const s = (r.select ?? {}) as Record<string, unknown>;
  const flag = (k: string) => s[k] === undefined || s[k] === true;
  const select = { initial: flag('initial'), insert: flag('insert'), delete: flag('delete'), modify: flag('modify') };
  const where = method !== 'monitor' && r.where !== undefined ? parseConditions(table, r.where, undefined, true) : undefined;
  return { table, columns, select, where };
}

const matched = (m: MonitoredTable, row: Row | undefined) => row !== undefined && (!m.where || matches(m.table, row, m.where));

/** Every monitored column of a row (update's "new" and "old"), as JSON text. */
function wholeRow(m: MonitoredTable, row: Row): string {
  let text = '';
  for (const c of m.columns) text += `${text ? ',' : ''}${c.key}:${datumText(c, fieldOf(m.table, row, c))}`;
  return `{${text}}`;
}

/** The monitored columns a row holds a non-empty value in (update2's "initial" and "insert"). */
function fullRow(m: MonitoredTable, row: Row): string {
  let text = '';
  for (const c of m.columns) {
    const v = c.name === '_version' ? row._v : row[c.name];
    if (v !== undefined) text += `${text ? ',' : ''}${c.key}:${datumText(c, v)}`;
  }
  return `{${text}}`;
}

/** The initial state a monitor answers with, as JSON text. */
export function initialUpdates(spec: MonitorSpec, db: Database): string {
  const out = new TableUpdates();
  for (const m of spec.tables) {
    if (!m.select.initial) continue;
    for (const row of db.rows(m.table.name).values()) {
      if (!matched(m, row)) continue;
      out.add(m.table.name, row._id, spec.method === 'monitor' ? `{"new":${wholeRow(m, row)}}` : `{"initial":${fullRow(m, row)}}`);
    }
  }
  return out.toString();
}

/** What a monitor is sent about a commit's changes, as JSON text; undefined when nothing it
 *  watches changed. */
export function changeUpdates(spec: MonitorSpec, changes: readonly Change[]): string | undefined {
  const out = new TableUpdates();
  for (const m of spec.tables) {
    for (const change of changes) {
      if (change.table !== m.table) continue;
      const update = rowUpdate(spec.method, m, change);
      if (update !== undefined) out.add(m.table.name, change.id, update);
    }
  }
  return out.isEmpty ? undefined : out.toString();
}

function rowUpdate(method: MonitorMethod, m: MonitoredTable, change: Change): string | undefined {
  const before = matched(m, change.old) ? change.old : undefined;
  const after = matched(m, change.new) ? change.new : undefined;
  const v1 = method === 'monitor';
  if (!before && after) return m.select.insert ? (v1 ? `{"new":${wholeRow(m, after)}}` : `{"insert":${fullRow(m, after)}}`) : undefined;
  if (before && !after) return m.select.delete ? (v1 ? `{"old":${wholeRow(m, before)}}` : '{"delete":null}') : undefined;
  if (!before || !after || !m.select.modify) return undefined;
  let diff = '';
  for (const c of m.columns) {
    const a = fieldOf(m.table, before, c);
    const b = fieldOf(m.table, after, c);
    if (datumEquals(a, b)) continue;
    diff += `${diff ? ',' : ''}${c.key}:${datumText(c, v1 ? a : diffDatum(c, a, b))}`;
  }
  if (!diff) return undefined;
  return v1 ? `{"new":${wholeRow(m, after)},"old":{${diff}}}` : `{"modify":{${diff}}}`;
}

/**
 * monitor_cond_change: the spec with the new where-clauses (`json`: table -> [{where}]), and
 * what the monitor is sent for it: rows that no longer match go, rows that now match come.
 */
export function changeConditions(spec: MonitorSpec, json: unknown, db: Database): { spec: MonitorSpec; updates: string | undefined } {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw syntaxError('condition changes are not an object', json);
  const changed = json as Record<string, unknown>;
  const tables = spec.tables.map((m): MonitoredTable => {
    const request = changed[m.table.name];
    if (request === undefined) return m;
    const r = (Array.isArray(request) ? request[0] : request) as Record<string, unknown> | undefined;
    return { ...m, where: r?.where === undefined ? undefined : parseConditions(m.table, r.where, undefined, true) };
  });
  for (const name of Object.keys(changed))
    if (!spec.tables.some((m) => m.table.name === name)) throw syntaxError(`no table named ${name}`, json);
  const updates = new TableUpdates();
  tables.forEach((now, i) => {
    const before = spec.tables[i]!;
    if (now === before) return;
    for (const row of db.rows(now.table.name).values()) {
      const was = matched(before, row);
      const is = matched(now, row);
      if (was && !is) updates.add(now.table.name, row._id, '{"delete":null}');
      else if (!was && is) updates.add(now.table.name, row._id, `{"insert":${fullRow(now, row)}}`);
    }
  });
  return { spec: { method: spec.method, tables, serial: ++serials }, updates: updates.isEmpty ? undefined : updates.toString() };
}
