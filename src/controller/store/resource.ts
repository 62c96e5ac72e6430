// Create, read, update and delete of any resource, from its description (description.ts). Each
// write is one transaction: the parsed object's guards first, then its rows (an update replaces
// the child rows as a whole, a delete also what was learned about the object); a clash on the name index reads "already exists", others as the
// description words them. The write then waits until this member's replica shows it.
import { op, type Condition, type OperationResult } from '../../ovsdb/index.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import type { ObjectRows, Snapshot, StoreView, StoredResource } from './description.ts';
import { checkSameName, parse, same, sorted, withoutName } from './input.ts';
import { Txn } from './txn.ts';

/** What the operations need of the store: its snapshot, its commits and its replica's pace. */
export interface ResourceContext {
  snapshot(): Snapshot;
  commit(txn: Txn): Promise<OperationResult[]>;
  /** Read-your-writes: waits (briefly) until a snapshot passes `probe`; the write stands regardless. */
  settle(probe: (s: Snapshot) => boolean): Promise<void>;
  view: StoreView;
}

/** An update's body: the whole object; the name comes from the path and may be repeated, unchanged. */
export type UpdateInput<T extends { name: string }> = Omit<T, 'name'> & { name?: string };

const byName = (name: string): Condition[] => [['name', '==', name]];

export class Resource<T extends { name: string }, I extends { name: string } = T, U extends { name?: string } = UpdateInput<I>> {
  constructor(
    private readonly spec: StoredResource<T>,
    private readonly ctx: ResourceContext,
  ) {}

  get kind(): string {
    return this.spec.model.kind;
  }

  /** Every object, by name (the replica's snapshot; possibly stale while the store is cut off). */
  list(): T[] {
    return sorted(this.spec.read(this.ctx.snapshot()));
  }

  get(name: string): T {
    const found = this.spec.read(this.ctx.snapshot()).find((x) => x.name === name);
    if (!found) throw new NotFoundError(this.kind, name);
    return found;
  }

  async create(input: I): Promise<T> {
    const obj = parse(this.spec.model.schema, input, this.kind);
    const txn = this.txn(obj);
    this.spec.guardWrite?.(txn, obj, 'create', this.ctx.view);
    const rows = this.spec.toRows(obj);
    txn.add(op.insert(this.spec.table, rows.row));
    this.insertChildren(txn, rows);
    await this.ctx.commit(txn);
    await this.ctx.settle((s) => this.spec.read(s).some((x) => same(x, obj)));
    return obj;
  }

  async update(name: string, input: U): Promise<T> {
    const obj = parse(this.spec.model.schema, { ...input, name: input.name ?? name }, this.kind);
    checkSameName(name, obj.name);
    const txn = this.txn(obj);
    this.spec.guardWrite?.(txn, obj, 'update', this.ctx.view);
    const rows = this.spec.toRows(obj);
    // First the object's own row: its count says whether the object exists.
    const i = txn.add(op.update(this.spec.table, byName(name), withoutName(rows.row)));
    this.deleteChildren(txn, name);
    this.insertChildren(txn, rows);
    this.expectRow(await this.ctx.commit(txn), i, name);
    await this.ctx.settle((s) => this.spec.read(s).some((x) => same(x, obj)));
    return obj;
  }

  async delete(name: string): Promise<void> {
    const txn = this.txn();
    this.spec.guardDelete?.(txn, name, this.ctx.view);
    const i = txn.add(op.delete(this.spec.table, byName(name)));
    this.deleteChildren(txn, name);
    for (const c of this.spec.learned ?? []) txn.add(op.delete(c.table, [[c.owner, '==', name]]));
    this.expectRow(await this.ctx.commit(txn), i, name);
    await this.ctx.settle((s) => !this.spec.read(s).some((x) => x.name === name));
  }

  private insertChildren(txn: Txn, rows: ObjectRows): void {
    for (const c of this.spec.children ?? []) for (const row of rows.children?.[c.table] ?? []) txn.add(op.insert(c.table, row));
  }

  private deleteChildren(txn: Txn, name: string): void {
    for (const c of this.spec.children ?? []) txn.add(op.delete(c.table, [[c.owner, '==', name]]));
  }

  /** A transaction whose index clashes are worded for `subject` (a delete has none to clash). */
  private txn(subject?: T): Txn {
    const txn = new Txn();
    txn.indexClash = (table, columns) => {
      if (!subject) return undefined;
      if (table === this.spec.table && columns.length === 1 && columns[0] === 'name')
        return new ConflictError(`${this.kind} "${subject.name}" already exists`);
      return this.spec.clash?.(subject, table, columns, this.ctx.view);
    };
    return txn;
  }

  private expectRow(results: OperationResult[], index: number, name: string): void {
    if (!results[index]?.count) throw new NotFoundError(this.kind, name);
  }
}
