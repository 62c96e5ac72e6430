// One node's database (its tables of rows) and a transaction on it: staged changes read through,
// then committed as ovsdb-server commits (referential integrity, garbage collection of rows no
// root reaches any more, weak references dropped, row limits and unique indexes), giving the
// list of changed rows the monitors and the simulated ovs-vswitchd react to.
import { datumEquals, type Datum } from './datum.ts';
import { OpError, constraintViolation } from './op-error.ts';
import { changeRow, referencesOf, valueOf, type Row } from './rows.ts';
import type { DbInfo, TableInfo } from './schema.ts';
import { formatUuid } from './uuids.ts';

export interface Change {
  table: TableInfo;
  id: number;
  old: Row | undefined;
  new: Row | undefined;
}

const NO_ROWS: ReadonlyMap<number, Row> = new Map();

export class Database {
  private readonly tables = new Map<string, Map<number, Row>>();
  /** Bumped by every commit that changed something. */
  version = 0;

  constructor(readonly info: DbInfo) {}

  rows(table: string): ReadonlyMap<number, Row> {
    return this.tables.get(table) ?? NO_ROWS;
  }

  get(table: string, id: number): Row | undefined {
    return this.tables.get(table)?.get(id);
  }

  table(name: string): TableInfo {
    return this.info.tables.get(name)!;
  }

  apply(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    this.version++;
    for (const c of changes) {
      let t = this.tables.get(c.table.name);
      if (!t) this.tables.set(c.table.name, (t = new Map()));
      if (c.new) t.set(c.id, c.new);
      else t.delete(c.id);
      if (t.size === 0) this.tables.delete(c.table.name);
    }
  }
}

export class Transaction {
  /** Per table, rows changed by this transaction: the new row, or null when deleted. */
  private readonly staged = new Map<string, Map<number, Row | null>>();
  private readonly deletedByRequest: { table: TableInfo; id: number }[] = [];

  constructor(readonly db: Database) {}

  get(table: string, id: number): Row | undefined {
    const s = this.staged.get(table)?.get(id);
    return s === null ? undefined : (s ?? this.db.get(table, id));
  }

  /** Every row of `table` as the transaction sees it. */
  *rows(table: string): Iterable<Row> {
    const s = this.staged.get(table);
    for (const [id, row] of this.db.rows(table)) if (!s?.has(id)) yield row;
    if (s) for (const row of s.values()) if (row) yield row;
  }

  put(table: string, row: Row): void {
    let s = this.staged.get(table);
    if (!s) this.staged.set(table, (s = new Map()));
    s.set(row._id, row);
  }

  /** Sets columns of a row (no-op when they already hold these values). */
  update(table: TableInfo, row: Row, changes: Readonly<Record<string, Datum>>): Row {
    const next = changeRow(table, row, changes);
    if (next !== row) this.put(table.name, next);
    return next;
  }

  delete(table: TableInfo, id: number, byRequest = true): void {
    let s = this.staged.get(table.name);
    if (!s) this.staged.set(table.name, (s = new Map()));
    s.set(id, null);
    if (byRequest) this.deletedByRequest.push({ table, id });
  }

  get isEmpty(): boolean {
    return this.staged.size === 0;
  }

  /** Checks and completes the transaction; the changed rows, or an OpError for the commit. */
  commit(): Change[] {
    this.checkStrongReferences();
    this.collectGarbage();
    this.dropWeakReferences();
    for (const name of this.staged.keys()) {
      const table = this.db.table(name);
      if (table.maxRows !== undefined) this.checkMaxRows(table);
      for (const index of table.indexes) this.checkIndex(table, index);
    }
    const changes: Change[] = [];
    for (const [name, rows] of this.staged) {
      const table = this.db.table(name);
      for (const [id, row] of rows) {
        const old = this.db.get(name, id);
        if (old === undefined && row === null) continue;
        if (old === row) continue;
        changes.push({ table, id, old, new: row ?? undefined });
      }
    }
    return changes;
  }

  private checkStrongReferences(): void {
    for (const [name, rows] of this.staged) {
      const table = this.db.table(name);
      for (const row of rows.values()) {
        if (!row) continue;
        for (const column of table.refColumns) {
          for (const target of [column.keyRef, column.valueRef]) {
            if (!target || target.weak) continue;
            for (const id of referencesOf(column, row[column.name] ?? column.empty, { table: target.table, weak: false })) {
              if (this.get(target.table, id)) continue;
              throw new OpError(
                'referential integrity violation',
                `Table ${name} column ${column.name} row ${formatUuid(row._id)} references nonexistent row ${formatUuid(id)} in table ${target.table}.`,
              );
            }
          }
        }
      }
    }
  }

  /** How many strong references rows of the transaction hold to each id of `table`. */
  private strongReferences(table: TableInfo): Map<number, number> {
    const counts = new Map<number, number>();
    for (const { table: from, column } of table.referrers) {
      for (const row of this.rows(from)) {
        for (const id of referencesOf(column, row[column.name], { table: table.name, weak: false }))
          counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    return counts;
  }

  /**
   * Rows explicitly deleted must be referenced no more; rows of non-root tables that lost their
   * last strong reference (or were inserted without one) go, and so on down what they referenced.
   */
  private collectGarbage(): void {
    const counted = new Map<TableInfo, Map<number, number>>();
    for (const { table, id } of this.deletedByRequest) {
      if (!counted.has(table)) counted.set(table, this.strongReferences(table));
      const n = counted.get(table)!.get(id) ?? 0;
      if (n > 0)
        throw new OpError(
          'referential integrity violation',
          `cannot delete ${table.name} row ${formatUuid(id)} because of ${n} remaining reference(s)`,
        );
    }
    let candidates = this.dereferenced();
    while (candidates.size > 0) {
      const next = new Map<string, Set<number>>();
      for (const [name, ids] of candidates) {
        const table = this.db.table(name);
        const counts = this.strongReferences(table);
        for (const id of ids) {
          const row = this.get(name, id);
          if (!row || counts.has(id)) continue;
          this.delete(table, id, false);
          this.addReferences(next, table, row, undefined);
        }
      }
      candidates = next;
    }
  }

  /** Rows of non-root tables that may have lost their last strong reference in this transaction. */
  private dereferenced(): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    for (const [name, rows] of this.staged) {
      const table = this.db.table(name);
      for (const [id, row] of rows) {
        const old = this.db.get(name, id);
        if (!old && row && !table.isRoot) add(out, name, id);
        if (old) this.addReferences(out, table, old, row ?? undefined);
      }
    }
    return out;
  }

  /** Adds to `out` the non-root rows `old` strongly references and `now` no longer does. */
  private addReferences(out: Map<string, Set<number>>, table: TableInfo, old: Row, now: Row | undefined): void {
    for (const column of table.refColumns) {
      const before = old[column.name];
      if (before === undefined || (now && datumEquals(before, valueOf(table, now, column.name)))) continue;
      const kept = now ? new Set(referencesOf(column, now[column.name], { weak: false })) : undefined;
      for (const target of [column.keyRef, column.valueRef]) {
        if (!target || target.weak || this.db.table(target.table).isRoot) continue;
        for (const id of referencesOf(column, before, { table: target.table, weak: false })) if (!kept?.has(id)) add(out, target.table, id);
      }
    }
  }

  /** Removes references to rows that do not exist (any more) from weak reference columns. */
  private dropWeakReferences(): void {
    for (const [name, rows] of [...this.staged]) {
      if (![...rows.values()].includes(null)) continue;
      for (const { table: from, column } of this.db.table(name).referrers) {
        if (!column.keyRef?.weak && !column.valueRef?.weak) continue;
        const fromTable = this.db.table(from);
        for (const row of [...this.rows(from)]) {
          const d = row[column.name];
          if (d === undefined || !Array.isArray(d)) continue;
          const kept = this.withoutMissing(column.schema.type.value !== undefined, d as readonly number[], column);
          if (kept.length === (d as readonly number[]).length) continue;
          if (kept.length < column.schema.type.min) {
            throw constraintViolation(
              `${from} column ${column.name} row ${formatUuid(row._id)} would be left with fewer than ${column.schema.type.min} elements`,
            );
          }
          this.update(fromTable, row, { [column.name]: Object.freeze(kept) });
        }
      }
    }
  }

  private withoutMissing(isMap: boolean, atoms: readonly number[], column: TableInfo['columns'][number]): number[] {
    const exists = (ref: typeof column.keyRef, id: number) => !ref?.weak || this.get(ref.table, id) !== undefined;
    if (!isMap) return atoms.filter((id) => exists(column.keyRef, id));
    const out: number[] = [];
    for (let i = 0; i < atoms.length; i += 2) {
      if (exists(column.keyRef, atoms[i]!) && exists(column.valueRef, atoms[i + 1]!)) out.push(atoms[i]!, atoms[i + 1]!);
    }
    return out;
  }

  private checkMaxRows(table: TableInfo): void {
    let n = 0;
    for (const _ of this.rows(table.name)) n++;
    if (n > table.maxRows!)
      throw constraintViolation(
        `Transaction causes "${table.name}" table to contain ${n} rows, greater than the schema-defined limit of ${table.maxRows} row(s).`,
      );
  }

  private checkIndex(table: TableInfo, index: string[]): void {
    const changed = this.staged.get(table.name)!;
    const seen = new Map<unknown, Row>();
    // One scalar column (a name): its value is the key.
    const single = index.length === 1 && table.byName.get(index[0]!)?.schema.kind === 'scalar' ? index[0]! : undefined;
    const keyOf = single
      ? (row: Row) => valueOf(table, row, single)
      : (row: Row) => JSON.stringify(index.map((c) => valueOf(table, row, c)));
    for (const row of changed.values()) {
      if (!row) continue;
      const key = keyOf(row);
      const other = seen.get(key);
      if (other) throw this.duplicate(table, index, row, other);
      seen.set(key, row);
    }
    if (seen.size === 0) return;
    for (const [id, row] of this.db.rows(table.name)) {
      if (changed.has(id)) continue;
      const other = seen.get(keyOf(row));
      if (other) throw this.duplicate(table, index, other, row);
    }
  }

  private duplicate(table: TableInfo, index: string[], fresh: Row, other: Row): OpError {
    const values = index.map((c) => String(valueOf(table, fresh, c))).join(', ');
    const columns = index.length === 1 ? `column "${index[0]}"` : `columns ${index.map((c) => `"${c}"`).join(', ')}`;
    const describe = (row: Row) =>
      this.db.get(table.name, row._id)
        ? this.staged.get(table.name)?.has(row._id)
          ? 'existed in the database before this transaction and was modified by the transaction'
          : 'existed in the database before this transaction and was not modified by the transaction'
        : 'was inserted by this transaction';
    return constraintViolation(
      `Transaction causes multiple rows in "${table.name}" table to have identical values (${values}) for index on ${columns}.  ` +
        `First row, with UUID ${formatUuid(other._id)}, ${describe(other)}.  Second row, with UUID ${formatUuid(fresh._id)}, ${describe(fresh)}.`,
    );
  }
}

function add(out: Map<string, Set<number>>, table: string, id: number): void {
  let s = out.get(table);
  if (!s) out.set(table, (s = new Set()));
  s.add(id);
}
