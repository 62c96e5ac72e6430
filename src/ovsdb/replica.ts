// The IDL: an in-memory replica of monitored tables, as OVS's ovsdb-idl keeps one. Each update
// notification is applied as a whole to copy-on-write tables, then published as a new immutable
// snapshot, then announced as events; a reader holding a snapshot never sees a half-applied update.
import { EventEmitter } from 'node:events';
import { atomKey, valueEquals, type Atom, type OvsdbMap, type Value } from './data.ts';
import { OvsdbDataError, OvsdbError, OvsdbProtocolError, OvsdbSchemaError, OvsdbTimeoutError } from './errors.ts';
import type { OvsdbClient } from './client.ts';
import type { MonitorMethod, MonitorTableRequest } from './monitor.ts';
import { op, whereUuid, type Condition, type Operation, type OperationResult, type Row } from './operations.ts';
import { decodeColumn, emptyColumnValue, type ColumnSchema, type DatabaseSchema, type TableSchema } from './schema.ts';

/**
 * Row shapes per table, declared by the user to type reads, e.g.
 * `{ Interface: { name: string; ofport: number[]; external_ids: Map<string, string> } }`
 * (values follow the data convention in data.ts; nothing checks the declaration at run time).
 */
export type TableTypes = object;
type AnyTables = Record<string, Row>;

/** A replicated row: its columns decoded by the schema, plus `_uuid` as a plain string. */
export type ReplicaRow<R = Row> = Readonly<R> & { readonly _uuid: string };

export type ReplicaTable = ReadonlyMap<string, ReplicaRow>;

export interface ReplicaSnapshot<T extends TableTypes = AnyTables> {
  /** Table name -> (row uuid -> row). Never mutated after it is published. */
  readonly tables: ReadonlyMap<string, ReplicaTable>;
  rows<K extends keyof T & string>(table: K): ReplicaRow<T[K]>[];
  get<K extends keyof T & string>(table: K, uuid: string): ReplicaRow<T[K]> | undefined;
}

export type ReplicaChange =
  | { type: 'insert'; table: string; row: ReplicaRow }
  | { type: 'update'; table: string; row: ReplicaRow; old: ReplicaRow }
  | { type: 'delete'; table: string; old: ReplicaRow };

export interface ReplicaEvents {
  insert: [string, ReplicaRow];
  update: [string, ReplicaRow, ReplicaRow];
  delete: [string, ReplicaRow];
  /** Once per applied notification (or resync), after the snapshot is published. */
  change: [ReplicaChange[], ReplicaSnapshot];
}

export interface ReplicaOptions {
  database: string;
  /** Tables to replicate, each with its columns (undefined: all columns) and optional condition. */
  tables: Record<string, { columns?: string[]; where?: Condition[] } | true>;
  /** `monitor_cond` (update2 diffs, default) or plain `monitor` (update). */
  method?: MonitorMethod;
}

/** A map that cannot change: one is shared by every replicated row whose map column is empty. */
class EmptyMap extends Map<Atom, Atom> {
  override set(): this {
    throw new TypeError('a replicated row is immutable');
  }
  override delete(): boolean {
    throw new TypeError('a replicated row is immutable');
  }
  override clear(): void {
    throw new TypeError('a replicated row is immutable');
  }
}
const EMPTY_MAP: OvsdbMap = new EmptyMap();
const EMPTY_SET: Atom[] = Object.freeze([]) as unknown as Atom[];

/** A column's empty value, shared for sets and maps: a node's tunnels leave most of theirs empty
 *  (bfd, bfd_status, ...), and a new Map per row and column was ~50 MB of a member's heap at
 *  1,000 simulated nodes (bench:scale). */
function emptyValue(column: ColumnSchema): Value {
  if (column.kind === 'map') return EMPTY_MAP;
  if (column.kind === 'set') return EMPTY_SET;
  return emptyColumnValue(column);
}

function makeSnapshot(tables: Map<string, Map<string, ReplicaRow>>): ReplicaSnapshot {
  return {
    tables,
    rows: (t: string) => [...(tables.get(t)?.values() ?? [])],
    get: (t: string, u: string) => tables.get(t)?.get(u),
  } as ReplicaSnapshot;
}

/** Applies an update2 "modify" diff to one column value. */
export function applyDiff(kind: 'scalar' | 'set' | 'map', oldValue: Value | undefined, diff: Value): Value {
  if (kind === 'scalar') return diff;
  if (kind === 'set') {
    // The diff lists elements whose membership flips.
    const out = new Map<string, Atom>();
    for (const a of Array.isArray(oldValue) ? oldValue : []) out.set(atomKey(a), a);
    for (const a of Array.isArray(diff) ? diff : [diff as Atom]) {
      const k = atomKey(a);
      if (out.has(k)) out.delete(k);
      else out.set(k, a);
    }
    return [...out.values()];
  }
  // Map diff: a key with the same value removes it, a new value replaces, a new key is added.
  const out = new Map<string, [Atom, Atom]>();
  if (oldValue instanceof Map) for (const [k, v] of oldValue) out.set(atomKey(k), [k, v]);
  if (diff instanceof Map) {
    for (const [k, v] of diff) {
      const cur = out.get(atomKey(k));
      if (cur && atomKey(cur[1]) === atomKey(v)) out.delete(atomKey(k));
      else out.set(atomKey(k), [k, v]);
    }
  }
  return new Map([...out.values()]) as OvsdbMap;
}

export class Replica<T extends TableTypes = AnyTables> extends EventEmitter<ReplicaEvents> {
  private schema: DatabaseSchema | undefined;
  private current: ReplicaSnapshot = makeSnapshot(new Map());
  private monitorId: string | undefined;
  private synced = false;

  constructor(
    readonly client: OvsdbClient,
    private readonly options: ReplicaOptions,
  ) {
    super();
  }

  get database(): string {
    return this.options.database;
  }

  /** True once the initial state has arrived. */
  get isSynced(): boolean {
    return this.synced;
  }

  /** Fetches the schema and starts monitoring; resolves when the initial state is in. */
  async start(): Promise<this> {
    this.schema = await this.client.getSchema(this.options.database);
    const requests: Record<string, MonitorTableRequest> = {};
    for (const [table, spec] of Object.entries(this.options.tables)) {
      if (!this.schema.tables[table]) throw new OvsdbSchemaError(`no table ${table} in ${this.options.database}`, `tables.${table}`);
      // Name the columns even for "all": otherwise the server also sends _version, whose churn
      // (e.g. across a restart) would show up as spurious updates.
      const r: MonitorTableRequest = { columns: this.monitoredColumns(this.schema.tables[table]!) };
      if (spec !== true && spec.where) r.where = spec.where;
      requests[table] = r;
    }
    const method = this.options.method ?? 'monitor_cond';
    const { id } = await this.client.monitor(
      this.options.database,
      requests,
      { onUpdate: (u, initial) => this.onUpdate(u, initial, method) },
      method,
    );
    this.monitorId = id;
    return this;
  }

  async stop(): Promise<void> {
    if (this.monitorId) await this.client.monitorCancel(this.monitorId).catch(() => {});
    this.monitorId = undefined;
  }

  /** The current consistent snapshot. Keep it as long as you like; it never changes. */
  snapshot(): ReplicaSnapshot<T> {
    return this.current as unknown as ReplicaSnapshot<T>;
  }

  rows<K extends keyof T & string>(table: K): ReplicaRow<T[K]>[] {
    return this.snapshot().rows(table);
  }

  get<K extends keyof T & string>(table: K, uuid: string): ReplicaRow<T[K]> | undefined {
    return this.snapshot().get(table, uuid);
  }

  find<K extends keyof T & string>(table: K, predicate: (row: ReplicaRow<T[K]>) => boolean): ReplicaRow<T[K]> | undefined {
    return this.rows(table).find(predicate);
  }

  /** Runs a transaction against the replicated database. */
  transact(ops: Operation[]): Promise<OperationResult[]> {
    return this.client.transact(this.options.database, ops);
  }

  /**
   * OVS IDL's verify(): a `wait` operation that makes a transaction fail with "timed out" if,
   * on the server, the row's `columns` no longer hold the values this replica shows. Put it
   * before the writes that were computed from those values (optimistic concurrency).
   */
  verify<K extends keyof T & string>(table: K, uuid: string, columns: (keyof T[K] & string)[]): Operation {
    const row = this.current.get(table, uuid);
    if (!row) throw new OvsdbDataError(`verify: no row ${uuid} in ${table}`);
    const expected: Row = {};
    for (const c of columns) {
      const v = row[c];
      if (v === undefined) throw new OvsdbDataError(`verify: column ${c} of ${table} is not replicated`);
      expected[c] = v;
    }
    return op.wait(table, whereUuid(uuid), columns, '==', [expected], 0);
  }

  /**
   * Resolves with the first truthy result of `probe` on the current or a later snapshot.
   * Use it to wait for a transaction's effect (or someone else's) to reach the replica.
   */
  waitFor<R>(probe: (s: ReplicaSnapshot<T>) => R | undefined | null | false, timeout = 30_000): Promise<R> {
    const now = probe(this.snapshot());
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('change', onChange);
        reject(new OvsdbTimeoutError(`replica of ${this.options.database}: condition not met after ${timeout} ms`));
      }, timeout);
      const onChange = (_c: ReplicaChange[], snap: ReplicaSnapshot) => {
        const v = probe(snap as unknown as ReplicaSnapshot<T>);
        if (!v) return;
        clearTimeout(timer);
        this.off('change', onChange);
        resolve(v);
      };
      this.on('change', onChange);
    });
  }

  private monitoredColumns(table: TableSchema): string[] {
    const spec = this.options.tables[table.name];
    if (spec !== true && spec?.columns) return spec.columns;
    return Object.keys(table.columns).filter((c) => c !== '_uuid' && c !== '_version');
  }

  /** A full row: decoded values for the columns sent, empty values for monitored columns left out. */
  private fullRow(table: TableSchema, uuid: string, json: Record<string, unknown>, base?: ReplicaRow): ReplicaRow {
    const row: Record<string, Value> = base ? { ...base } : {};
    if (!base) for (const c of this.monitoredColumns(table)) row[c] = emptyValue(table.columns[c]!);
    for (const [c, v] of Object.entries(json)) row[c] = decodeColumn(table.columns[c], v);
    row._uuid = uuid;
    return Object.freeze(row) as ReplicaRow;
  }

  private onUpdate(updates: Record<string, unknown>, initial: boolean, method: MonitorMethod): void {
    let result: { tables: Map<string, Map<string, ReplicaRow>>; changes: ReplicaChange[] };
    try {
      result = this.computeUpdate(updates, initial, method);
    } catch (cause) {
      // Nothing was published: the replica still shows the previous consistent snapshot.
      if (cause instanceof OvsdbError) throw cause;
      throw new OvsdbProtocolError(`malformed ${method === 'monitor' ? 'update' : 'update2'}: ${(cause as Error).message}`, { cause });
    }
    if (initial) this.synced = true;
    const { tables, changes } = result;
    this.current = makeSnapshot(tables);
    for (const c of changes) {
      if (c.type === 'insert') this.emit('insert', c.table, c.row);
      else if (c.type === 'update') this.emit('update', c.table, c.row, c.old);
      else this.emit('delete', c.table, c.old);
    }
    this.emit('change', changes, this.current);
  }

  /** Applies one notification to copies of the affected tables; publishes nothing. */
  private computeUpdate(
    updates: Record<string, unknown>,
    initial: boolean,
    method: MonitorMethod,
  ): { tables: Map<string, Map<string, ReplicaRow>>; changes: ReplicaChange[] } {
    const schema = this.schema!;
    const tables = new Map(this.current.tables) as Map<string, Map<string, ReplicaRow>>;
    const changes: ReplicaChange[] = [];
    if (initial) {
      // A full state (first sync or after reconnect): rebuild, then diff against what we had.
      for (const name of Object.keys(this.options.tables)) {
        const ts = schema.tables[name]!;
        const before = this.current.tables.get(name) ?? new Map<string, ReplicaRow>();
        const after = new Map<string, ReplicaRow>();
        const tu = (updates[name] ?? {}) as Record<string, Record<string, unknown>>;
        for (const [uuid, ru] of Object.entries(tu)) {
          const content = (method === 'monitor' ? ru.new : (ru.initial ?? ru.insert)) as Record<string, unknown> | undefined;
          if (content) after.set(uuid, this.fullRow(ts, uuid, content));
        }
        for (const [uuid, row] of after) {
          const old = before.get(uuid);
          if (!old) changes.push({ type: 'insert', table: name, row });
          else if (!rowEquals(old, row)) changes.push({ type: 'update', table: name, row, old });
          else after.set(uuid, old);
        }
        for (const [uuid, old] of before) if (!after.has(uuid)) changes.push({ type: 'delete', table: name, old });
        tables.set(name, after);
      }
    } else {
      for (const [name, tuJson] of Object.entries(updates)) {
        const ts = schema.tables[name];
        if (!ts || !this.options.tables[name]) continue;
        const t = new Map(tables.get(name) ?? []);
        for (const [uuid, ru] of Object.entries(tuJson as Record<string, Record<string, unknown>>)) {
          const old = t.get(uuid);
          const change = method === 'monitor' ? this.applyUpdate1(ts, uuid, ru, old) : this.applyUpdate2(ts, uuid, ru, old);
          if (!change) continue;
          if (change.type === 'delete') t.delete(uuid);
          else t.set(uuid, change.row);
          changes.push(change);
        }
        tables.set(name, t);
      }
    }
    return { tables, changes };
  }

  private applyUpdate1(ts: TableSchema, uuid: string, ru: Record<string, unknown>, old: ReplicaRow | undefined): ReplicaChange | undefined {
    const nu = ru.new as Record<string, unknown> | undefined;
    if (!nu) return old ? { type: 'delete', table: ts.name, old } : undefined;
    const row = this.fullRow(ts, uuid, nu, old);
    return old ? { type: 'update', table: ts.name, row, old } : { type: 'insert', table: ts.name, row };
  }

  private applyUpdate2(ts: TableSchema, uuid: string, ru: Record<string, unknown>, old: ReplicaRow | undefined): ReplicaChange | undefined {
    if ('delete' in ru) return old ? { type: 'delete', table: ts.name, old } : undefined;
    const content = (ru.insert ?? ru.initial) as Record<string, unknown> | undefined;
    if (content) {
      const row = this.fullRow(ts, uuid, content);
      return old ? { type: 'update', table: ts.name, row, old } : { type: 'insert', table: ts.name, row };
    }
    const diff = ru.modify as Record<string, unknown> | undefined;
    if (!diff || !old) return undefined;
    const row: Record<string, Value> = { ...old };
    for (const [c, v] of Object.entries(diff)) {
      const col = ts.columns[c];
      // ovsdb-server sends an optional column (a set of at most one) as its new value, not as
      // the elements that flip, as OVS's IDL applies it.
      const kind = col === undefined || (col.kind === 'set' && col.type.max === 1) ? 'scalar' : col.kind;
      row[c] = applyDiff(kind, old[c], decodeColumn(col, v));
    }
    return { type: 'update', table: ts.name, row: Object.freeze(row) as ReplicaRow, old };
  }
}

function rowEquals(a: ReplicaRow, b: ReplicaRow): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!valueEquals(a[k], b[k])) return false;
  return true;
}
