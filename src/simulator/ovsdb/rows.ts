// Rows of the simulated database: immutable objects holding `_id` (uuids.ts), `_v` (the id its
// _version prints as) and only the columns whose value is not the column's empty one, always set
// in the schema's column order so that rows of a table share their few shapes (hidden classes).
import { datumEquals, internDatum, type Atom, type Datum } from './datum.ts';
import type { ColumnInfo, TableInfo } from './schema.ts';
import { nextId } from './uuids.ts';

export type Row = { readonly _id: number; readonly _v: number } & { readonly [column: string]: Datum };

/** A column's value in a row: the column's empty value when the row does not hold it. */
export function valueOf(table: TableInfo, row: Row, column: string): Datum {
  const v = row[column];
  return v !== undefined ? v : table.byName.get(column)!.empty;
}

const byIndex = (a: ColumnInfo, b: ColumnInfo) => a.index - b.index;

/** A value as a row keeps it: a set or map frozen, and shared when another row has the same. */
const kept = (c: ColumnInfo, v: Datum): Datum => (Array.isArray(v) && !Object.isFrozen(v) ? internDatum(v as readonly Atom[], c) : v);

/** A new row with `values` (columns left out take their empty value). */
export function makeRow(table: TableInfo, id: number, values: Readonly<Record<string, Datum>>): Row {
  const columns: ColumnInfo[] = [];
  for (const name in values) {
    const c = table.byName.get(name);
    if (c && !datumEquals(values[name]!, c.empty)) columns.push(c);
  }
  columns.sort(byIndex);
  const row: Record<string, Datum> = { _id: id, _v: nextId() };
  for (const c of columns) row[c.name] = kept(c, values[c.name]!);
  return row as Row;
}

/** `row` with `changes` applied; `row` itself when nothing differs (no update to send). */
export function changeRow(table: TableInfo, row: Row, changes: Readonly<Record<string, Datum>>): Row {
  let differs = false;
  for (const name in changes) {
    if (!datumEquals(changes[name]!, valueOf(table, row, name))) {
      differs = true;
      break;
    }
  }
  if (!differs) return row;
  const columns: ColumnInfo[] = [];
  for (const name in row) if (name !== '_id' && name !== '_v' && !(name in changes)) columns.push(table.byName.get(name)!);
  for (const name in changes) {
    const c = table.byName.get(name);
    if (c && !datumEquals(changes[name]!, c.empty)) columns.push(c);
  }
  columns.sort(byIndex);
  const next: Record<string, Datum> = { _id: row._id, _v: nextId() };
  for (const c of columns) next[c.name] = c.name in changes ? kept(c, changes[c.name]!) : row[c.name]!;
  return next as Row;
}

/** Which references of a column to read: to one table, and of one strength. */
export interface RefFilter {
  table?: string;
  weak?: boolean;
}

const wanted = (ref: { table: string; weak: boolean } | undefined, f: RefFilter) =>
  ref !== undefined && (f.table === undefined || ref.table === f.table) && (f.weak === undefined || ref.weak === f.weak);

/** The ids a column value references, in its keys and values. */
export function referencesOf(column: ColumnInfo, d: Datum | undefined, filter: RefFilter = {}): number[] {
  if (d === undefined) return [];
  const key = wanted(column.keyRef, filter);
  const value = wanted(column.valueRef, filter);
  if (!Array.isArray(d)) return key ? [d as number] : [];
  const atoms = d as readonly Datum[];
  if (!column.schema.type.value) return key ? (atoms as number[]) : [];
  const out: number[] = [];
  for (let i = 0; i < atoms.length; i += 2) {
    if (key) out.push(atoms[i] as number);
    if (value) out.push(atoms[i + 1] as number);
  }
  return out;
}
