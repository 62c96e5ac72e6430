// The transact method (RFC 7047 4.1.3, 5.2) on a simulated database, answered as ovsdb-server
// answers it: one result per operation; at the first failing operation its error and null for
// the rest; a failed commit as one more element; nothing changed unless everything succeeded.
import { atomToJson, datumFromJson, datumToJson, datumEquals, type Datum } from './datum.ts';
import type { Change, Database, Transaction } from './database.ts';
import { Transaction as Txn } from './database.ts';
import { columnOf, fieldOf, matches, mutate, parseConditions, parseMutations, uuidClause, type Clause } from './conditions.ts';
import { OpError, syntaxError } from './op-error.ts';
import { makeRow, type Row } from './rows.ts';
import type { ColumnInfo, TableInfo } from './schema.ts';
import { nextId } from './uuids.ts';

export interface TransactOutcome {
  /** The transact result, as sent. */
  results: unknown[];
  /** The rows changed, when it committed. */
  changes: Change[];
  /** A `wait` whose condition does not hold yet: run the transaction again later, until this
   *  deadline (ms since the epoch; Infinity without a timeout). */
  waitUntil?: number;
}

/** Who is asking: which locks it holds (for `assert`). */
export interface TransactContext {
  holdsLock(name: string): boolean;
  /** A `wait` whose condition does not hold fails now (its timeout passed, or no one can wait). */
  expired?: boolean;
}

interface Symbol {
  id: number;
  created: boolean;
}

class WaitNotMet extends Error {
  constructor(readonly deadline: number) {
    super('wait');
  }
}

type Op = Record<string, unknown>;

/** Runs the operations of a transact request (its params after the database name). */
export function transact(db: Database, ops: readonly unknown[], context: TransactContext, now = Date.now()): TransactOutcome {
  const txn = new Txn(db);
  const symbols = new Map<string, Symbol>();
  const named = (name: string) => {
    let s = symbols.get(name);
    if (!s) symbols.set(name, (s = { id: nextId(), created: false }));
    return s.id;
  };
  const results: unknown[] = [];
  for (let i = 0; i < ops.length; i++) {
    try {
      results.push(execute(txn, ops[i], i, ops.length, { named, symbols, context, now }));
    } catch (err) {
      if (err instanceof WaitNotMet) return { results: [], changes: [], waitUntil: err.deadline };
      if (!(err instanceof OpError)) throw err;
      results.push(err.toJson());
      while (results.length < ops.length) results.push(null);
      return { results, changes: [] };
    }
  }
  try {
    for (const [name, s] of symbols) if (!s.created) throw syntaxError(`named-uuid "${name}" is not the uuid-name of any insert`);
    return { results, changes: txn.commit() };
  } catch (err) {
    if (!(err instanceof OpError)) throw err;
    return { results: [...results, err.toJson()], changes: [] };
  }
}

interface Scope {
  named: (name: string) => number;
  symbols: Map<string, Symbol>;
  context: TransactContext;
  now: number;
}

function execute(txn: Transaction, json: unknown, index: number, count: number, scope: Scope): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw syntaxError('operation is not an object', json);
  const o = json as Op;
  switch (o.op) {
    case 'commit':
      return {};
    case 'comment':
      return {};
    case 'abort':
      throw new OpError('aborted', 'aborted by request');
    case 'assert':
      if (typeof o.lock !== 'string') throw syntaxError('"lock" is not a string', o);
      if (!scope.context.holdsLock(o.lock)) throw new OpError('not owner', `Asserted lock ${o.lock} not held.`);
      return {};
  }
  const table = typeof o.table === 'string' ? txn.db.info.tables.get(o.table) : undefined;
  if (!table) {
    const why = typeof o.table === 'string' ? `No table named ${o.table}.` : 'Required "table" member is missing.';
    throw syntaxError(`Parsing ovsdb operation ${index + 1} of ${count} failed: ${why}`, o);
  }
  switch (o.op) {
    case 'insert':
      return insert(txn, table, o, scope);
    case 'select': {
      const columns = selected(table, o.columns);
      return { rows: where(txn, table, o.where, scope).map((row) => rowToJson(table, row, columns)) };
    }
    case 'update': {
      const values = rowFromJson(table, o.row, scope, o);
      const rows = where(txn, table, o.where, scope);
      for (const row of rows) txn.update(table, row, values);
      return { count: rows.length };
    }
    case 'mutate': {
      const mutations = parseMutations(table, o.mutations, scope.named);
      const rows = where(txn, table, o.where, scope);
      for (const row of rows) {
        let current = row;
        for (const m of mutations) current = txn.update(table, current, { [m.column.name]: mutate(table, current, m) });
      }
      return { count: rows.length };
    }
    case 'delete': {
      const rows = where(txn, table, o.where, scope);
      for (const row of rows) txn.delete(table, row._id);
      return { count: rows.length };
    }
    case 'wait':
      return wait(txn, table, o, scope);
    default:
      throw syntaxError(`Parsing ovsdb operation ${index + 1} of ${count} failed: No operation named ${JSON.stringify(o.op)}.`, o);
  }
}

function insert(txn: Transaction, table: TableInfo, o: Op, scope: Scope): unknown {
  const name = o['uuid-name'];
  let id: number;
  if (name !== undefined) {
    if (typeof name !== 'string' || !/^[_a-zA-Z][_a-zA-Z0-9]*$/.test(name)) throw syntaxError('"uuid-name" is not a valid identifier', o);
    const s = scope.symbols.get(name);
    if (s?.created) throw syntaxError('This "uuid-name" appeared on an earlier "insert" operation.', o);
    id = scope.named(name);
    scope.symbols.get(name)!.created = true;
  } else {
    id = nextId();
  }
  const values = rowFromJson(table, o.row ?? {}, scope, undefined);
  txn.put(table.name, makeRow(table, id, values));
  return { uuid: atomToJson({ type: 'uuid' }, id) };
}

/** A row's columns from the wire; for an update (`update` set), immutable ones are refused. */
function rowFromJson(table: TableInfo, json: unknown, scope: Scope, update: Op | undefined): Record<string, Datum> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw syntaxError('row is not an object', json);
  const values: Record<string, Datum> = {};
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    const column = table.byName.get(name);
    if (!column) throw new OpError('unknown column', `No column ${name} in table ${table.name}.`, json);
    if (update && !column.schema.mutable) {
      throw new OpError('constraint violation', `Cannot update immutable column ${name} in table ${table.name}.`, update);
    }
    values[name] = datumFromJson(column, v, scope.named);
  }
  return values;
}

/** The rows a where-clause selects, as the transaction sees them. */
function where(txn: Transaction, table: TableInfo, json: unknown, scope: Scope): Row[] {
  const clauses: Clause[] = parseConditions(table, json ?? [], scope.named);
  const id = uuidClause(clauses);
  if (id !== undefined) {
    const row = txn.get(table.name, id);
    return row && matches(table, row, clauses) ? [row] : [];
  }
  const out: Row[] = [];
  for (const row of txn.rows(table.name)) if (matches(table, row, clauses)) out.push(row);
  return out;
}

function selected(table: TableInfo, json: unknown): ColumnInfo[] {
  if (json === undefined) return [columnOf(table, '_uuid', json), columnOf(table, '_version', json), ...table.columns];
  if (!Array.isArray(json) || !json.every((c) => typeof c === 'string')) throw syntaxError('"columns" is not an array of strings', json);
  return json.map((c: string) => columnOf(table, c, json));
}

export function rowToJson(table: TableInfo, row: Row, columns: readonly ColumnInfo[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c.name] = datumToJson(c, fieldOf(table, row, c));
  return out;
}

function wait(txn: Transaction, table: TableInfo, o: Op, scope: Scope): unknown {
  if (o.until !== '==' && o.until !== '!=') throw syntaxError('"until" must be "==" or "!="', o);
  if (o.timeout !== undefined && (typeof o.timeout !== 'number' || o.timeout < 0)) throw syntaxError('"timeout" is not a number', o);
  const columns = selected(table, o.columns);
  if (!Array.isArray(o.rows)) throw syntaxError('"rows" is not an array', o);
  const wanted = o.rows.map((r: unknown) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw syntaxError('row is not an object', r);
    const w = r as Record<string, unknown>;
    return columns.map((c) => (c.name in w ? datumFromJson(c, w[c.name], scope.named) : undefined));
  });
  const actual = where(txn, table, o.where, scope).map((row) => columns.map((c) => fieldOf(table, row, c)));
  const equal = sameRows(actual, wanted);
  if (equal === (o.until === '==')) return {};
  const timeout = o.timeout as number | undefined;
  if (timeout === 0 || scope.context.expired) throw new OpError('timed out', '"where" clause test failed');
  throw new WaitNotMet(timeout === undefined ? Infinity : scope.now + timeout);
}

/** The two lists hold the same rows (as multisets), a column left out of a wanted row matching
 *  nothing but itself. */
function sameRows(actual: Datum[][], wanted: (Datum | undefined)[][]): boolean {
  if (actual.length !== wanted.length) return false;
  const left = [...wanted];
  for (const row of actual) {
    const i = left.findIndex((w) => w.every((d, k) => d !== undefined && datumEquals(d, row[k]!)));
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}
