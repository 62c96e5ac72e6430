// What the store needs to know of one resource to create, read, update and delete it: its entry
// in the model (segment, kind, schemas), its rows, the guards of its writes and the wording of
// its index clashes. The operations themselves (resource.ts) are the same for every resource.
import type { z } from 'zod';
import type { ReplicaRow, ReplicaSnapshot, Row } from '../../ovsdb/index.ts';
import type { RESOURCES, ResourceDescription, ResourceName } from '../../model/index.ts';
import type { StoreError } from './errors.ts';
import type { NvStoreTables } from './rows.ts';
import type { Txn } from './txn.ts';

export type Snapshot = ReplicaSnapshot<NvStoreTables>;
export type TableName = keyof NvStoreTables & string;

/** A resource's object as stored, and as a caller may write it (defaults still optional). */
export type ResourceObject<N extends ResourceName> = z.output<(typeof RESOURCES)[N]['schema']>;
export type ResourceInput<N extends ResourceName> = z.input<(typeof RESOURCES)[N]['schema']>;
/** An update's body: the whole object, its name optional (the path gives it). */
export type ResourceUpdateInput<N extends ResourceName> = z.input<(typeof RESOURCES)[N]['update']>;

/** Reads of the member's replica, only to word errors (never to decide a write). */
export interface StoreView {
  list<N extends ResourceName>(name: N): ResourceObject<N>[];
}

/** Rows of another table that belong to one object, which their `owner` column names (a
 *  router's interfaces): written with it, replaced as a whole, deleted with it. */
export interface ChildTable {
  table: TableName;
  owner: string;
}

/** An object's row in its own table, and its rows in each child table. */
export interface ObjectRows {
  row: Row;
  children?: Partial<Record<TableName, Row[]>>;
}

export interface StoredResource<T extends { name: string }> {
  model: ResourceDescription<z.ZodType<T>>;
  /** The table of its own rows, one per object, with a unique `name`. */
  table: TableName;
  children?: readonly ChildTable[];
  /** Rows of other tables that the members learned about the object, not its writer (a switch's
   *  MAC bindings): deleted with it, kept by its updates, never in its body. */
  learned?: readonly ChildTable[];
  toRows(obj: T): ObjectRows;
  /** Every object of the snapshot, in no particular order. */
  read(s: Snapshot): T[];
  /** Adds the guards of a create or an update (the `wait`s that make its checks atomic). */
  guardWrite?(txn: Txn, obj: T, mode: 'create' | 'update', view: StoreView): void;
  /** Adds the guards of a delete (what must not refer to it). */
  guardDelete?(txn: Txn, name: string, view: StoreView): void;
  /** The error for a clash on a unique index other than the name, `undefined` if not its own. */
  clash?(obj: T, table: string, columns: string[], view: StoreView): StoreError | undefined;
}

/** The rows of a resource that is one row of `table` per object. */
export function oneRow<K extends TableName, T extends { name: string }>(
  table: K,
  toRow: (obj: T) => Row,
  fromRow: (row: ReplicaRow<NvStoreTables[K]>) => T,
): Pick<StoredResource<T>, 'table' | 'toRows' | 'read'> {
  return { table, toRows: (obj) => ({ row: toRow(obj) }), read: (s) => s.rows(table).map((r) => fromRow(r)) };
}
