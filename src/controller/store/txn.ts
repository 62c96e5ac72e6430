// One store transaction: OVSDB operations, some of them guards (`wait`s that fail the whole
// transaction), and the translation of whatever goes wrong into a StoreError.
import {
  OvsdbConnectionError,
  OvsdbTimeoutError,
  OvsdbTransactionError,
  op,
  type Condition,
  type Operation,
  type Row,
} from '../../ovsdb/index.ts';
import { ConflictError, InvalidError, StoreUnavailableError, type StoreError } from './errors.ts';

/** Makes the error for a unique-index clash, given the table and the index's columns. */
export type IndexClashHandler = (table: string, columns: string[]) => StoreError | undefined;

export class Txn {
  readonly ops: Operation[] = [];
  private readonly guards = new Map<number, () => StoreError>();
  indexClash: IndexClashHandler | undefined;

  add(operation: Operation): number {
    this.ops.push(operation);
    return this.ops.length - 1;
  }

  /** Fails the transaction with `fail()` unless exactly the row with `column == value` exists. */
  mustExist(table: string, column: string, value: string, fail: () => StoreError): void {
    this.guard(op.wait(table, [[column, '==', value]], [column], '==', [{ [column]: value }], 0), fail);
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

  private guard(operation: Operation, fail: () => StoreError): void {
    this.guards.set(this.add(operation), fail);
  }

  /** The StoreError for a failure of this transaction, or `err` itself if it is not one we know. */
  translate(err: unknown): unknown {
    if (err instanceof OvsdbTransactionError) {
      const guard = this.guards.get(err.index);
      if (guard && err.error === 'timed out') return guard();
      if (err.error === 'constraint violation') {
        const clash = parseIndexClash(err.details);
        if (clash)
          return (
            this.indexClash?.(clash.table, clash.columns) ??
            new ConflictError(`duplicate ${clash.columns.join(', ')} in ${clash.table}`, { cause: err })
          );
        return new InvalidError(`rejected by the store: ${err.details ?? err.message}`, [], { cause: err });
      }
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
