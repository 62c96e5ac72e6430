// One store transaction: OVSDB operations, some of them guards (`wait`s that fail the whole
// transaction), and the translation of whatever goes wrong into a StoreError.
import {
  OvsdbConnectionError,
  OvsdbTimeoutError,
  OvsdbTransactionError,
  op,
  whereUuid,
  type Condition,
  type Operation,
  type Row,
} from '../../ovsdb/index.ts';
import { ConflictError, InvalidError, StoreUnavailableError, type StoreError } from './errors.ts';

/** Makes the error for a unique-index clash, given the table and the index's columns. */
export type IndexClashHandler = (table: string, columns: string[]) => StoreError | undefined;

/** What the last translated failure was: the section of the operation that failed (when the
 *  transaction has sections), and the unique index it broke (for a clash). */
export interface TxnFailure {
  section: number | undefined;
  /** `existing`: the other row was in the database before the transaction (else this
   *  transaction inserted both). */
  clash?: { table: string; columns: string[]; existing: boolean };
}

/** Rows as this member's replica shows them (a snapshot's tables: uuid → row). */
export interface KnownRows {
  tables: ReadonlyMap<string, ReadonlyMap<string, { readonly [column: string]: unknown }>>;
}

/** Per table version, per column: value → _uuid (built once per version, on first use). */
const byValue = new WeakMap<object, Map<string, Map<unknown, string>>>();

function knownUuid(known: KnownRows, table: string, column: string, value: string): string | undefined {
  const rows = known.tables.get(table);
  if (!rows) return undefined;
  let columns = byValue.get(rows);
  if (!columns) byValue.set(rows, (columns = new Map()));
  let index = columns.get(column);
  if (!index) {
    index = new Map();
    for (const [uuid, row] of rows) index.set(row[column], uuid);
    columns.set(column, index);
  }
  return index.get(value);
}

export class Txn {
  readonly ops: Operation[] = [];
  private readonly guards = new Map<number, () => StoreError>();
  /** The transaction's index clash handler, for operations outside any section. */
  indexClash: IndexClashHandler | undefined;
  // Sections (the writes of a batch, one each): the first operation of each, and its clash handler.
  private readonly starts: number[] = [];
  private readonly clashes: (IndexClashHandler | undefined)[] = [];
  failure: TxnFailure | undefined;

  /** Starts a section: the operations added from now on are one write's, whose failures are
   *  worded by its guards and `clash`, and reported with its number (`failure.section`). */
  section(clash?: IndexClashHandler): number {
    this.starts.push(this.ops.length);
    this.clashes.push(clash);
    return this.starts.length - 1;
  }

  private lastInsertInto(table: string): number | undefined {
    const i = this.ops.findLastIndex((o) => o.op === 'insert' && o.table === table);
    return i < 0 ? undefined : i;
  }

  /** The section an operation belongs to. */
  private sectionOf(index: number): number | undefined {
    for (let s = this.starts.length - 1; s >= 0; s--) if (this.starts[s]! <= index) return s;
    return undefined;
  }

  add(operation: Operation): number {
    this.ops.push(operation);
    return this.ops.length - 1;
  }

  /** `known`: the member's replica, for guards to name rows by _uuid too. */
  constructor(private readonly known?: KnownRows) {}

  /** Fails the transaction with `fail()` unless exactly the row with `column == value` exists.
   *  When the replica knows that row, the condition names its _uuid as well: ovsdb-server looks
   *  a row up by _uuid but scans the table for any other column, and a batch of 1,000 ports
   *  scanning 2,400 switches and 1,000 nodes each took over a second on a follower, long enough
   *  for the cluster's heartbeats to commit meanwhile and the batch to be executed again and
   *  again. A row replaced under the same name since the replica saw it fails the guard, as a
   *  row deleted meanwhile would. */
  mustExist(table: string, column: string, value: string, fail: () => StoreError): void {
    const uuid = this.known && knownUuid(this.known, table, column, value);
    const where: Condition[] = [...(uuid ? whereUuid(uuid) : []), [column, '==', value]];
    this.guard(op.wait(table, where, [column], '==', [{ [column]: value }], 0), fail);
  }

  /** Fails the transaction with `fail()` if any row matches `where`; `column` is any column of
   *  the table (a wait must name one). */
  mustNotExist(table: string, where: Condition[], fail: () => StoreError, column = 'name'): void {
    this.guard(op.wait(table, where, [column], '==', [], 0), fail);
  }

  /** Fails the transaction with `fail()` unless the row matching `where` still has `columns` as in `expected`. */
  mustEqual(table: string, where: Condition[], expected: Row, fail: () => StoreError): void {
    this.guard(op.wait(table, where, Object.keys(expected), '==', [expected], 0), fail);
  }

  /** Fails the transaction with `fail()` unless the rows matching `where`, seen through
   *  `columns`, are exactly `rows` (none for []). */
  mustMatch(table: string, where: Condition[], columns: string[], rows: Row[], fail: () => StoreError): void {
    this.guard(op.wait(table, where, columns, '==', rows, 0), fail);
  }

  private guard(operation: Operation, fail: () => StoreError): void {
    this.guards.set(this.add(operation), fail);
  }

  /** The StoreError for a failure of this transaction, or `err` itself if it is not one we know. */
  translate(err: unknown): unknown {
    this.failure = undefined;
    if (err instanceof OvsdbTransactionError) {
      const guard = this.guards.get(err.index);
      if (guard && err.error === 'timed out') {
        this.failure = { section: this.sectionOf(err.index) };
        return guard();
      }
      if (err.error === 'constraint violation') {
        const clash = parseIndexClash(err.details);
        // The clash is the last of its rows that this transaction inserted: the later write
        // (without the UUIDs, the last insert into its table).
        const inserted = insertedBy(err) ?? (clash ? this.lastInsertInto(clash.table) : undefined);
        const section = inserted === undefined ? undefined : this.sectionOf(inserted);
        const existing = /existed in the database before this transaction/.test(err.details ?? '');
        this.failure = { section, ...(clash ? { clash: { ...clash, existing } } : {}) };
        const handler = (section === undefined ? undefined : this.clashes[section]) ?? this.indexClash;
        if (clash)
          return (
            handler?.(clash.table, clash.columns) ??
            new ConflictError(`duplicate ${clash.columns.join(', ')} in ${clash.table}`, { cause: err })
          );
        return new InvalidError(`rejected by the store: ${err.details ?? err.message}`, [], { cause: err });
      }
      this.failure = { section: this.sectionOf(err.index) };
      return err;
    }
    if (err instanceof OvsdbTimeoutError) {
      return new StoreUnavailableError(
        `${err.message}: no commit within the bound (the member may have lost its quorum); the write may still take effect`,
        'unknown',
        { cause: err },
      );
    }
    if (err instanceof OvsdbConnectionError) {
      return new StoreUnavailableError(`${err.message}: the write may or may not have taken effect`, 'unknown', { cause: err });
    }
    return err;
  }
}

/** The last operation of a failed transaction that inserted a row the error's details name as
 *  "inserted by this transaction" (ovsdb-server names the two rows of an index clash by UUID; the
 *  results of a failed transaction still hold each insert's UUID). */
function insertedBy(err: OvsdbTransactionError): number | undefined {
  const uuids = new Set([...(err.details ?? '').matchAll(/UUID ([0-9a-f-]{36}), was inserted by this transaction/g)].map((m) => m[1]));
  let last: number | undefined;
  err.results.forEach((r, i) => {
    const uuid = (r as { uuid?: unknown } | null)?.uuid;
    if (Array.isArray(uuid) && uuids.has(uuid[1] as string)) last = i;
  });
  return last;
}

/**
 * Reads the table and columns out of ovsdb-server's index violation text, e.g. `Transaction
 * causes multiple rows in "Logical_Switch" table to have identical values (5001) for index on
 * column "vni".` (several columns: `for index on columns "switch" and "mac"`).
 */
export function parseIndexClash(details: string | undefined): { table: string; columns: string[] } | undefined {
  if (!details) return undefined;
  const m = /rows in "([^"]+)" table to have identical values .* for index on columns? (.+?)\.(?:\s|$)/s.exec(details);
  if (!m) return undefined;
  const columns = [...m[2]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!);
  return columns.length > 0 ? { table: m[1]!, columns } : undefined;
}
