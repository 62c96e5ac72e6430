// Create, read, update and delete of any resource, from its description (description.ts). Each
// write is one transaction: the parsed object's guards first, then its rows (an update replaces
// the child rows as a whole, a delete also what was learned about the object); a clash on the name index reads "already exists", others as the
// description words them. The write then waits until this member's replica shows it.
import { op, type Condition, type OperationResult } from '../../ovsdb/index.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import type { ObjectRows, Snapshot, StoreView, StoredResource } from './description.ts';
import { checkSameName, parse, same, sorted, withoutName } from './input.ts';
import { Txn, type IndexClashHandler } from './txn.ts';

/** What the operations need of the store: its snapshot, its commits and its replica's pace. */
export interface ResourceContext {
  snapshot(): Snapshot;
  commit(txn: Txn): Promise<OperationResult[]>;
  /** Read-your-writes: waits (briefly) until a snapshot passes `probe`; the write stands regardless. */
  settle(probe: (s: Snapshot) => boolean): Promise<void>;
  view: StoreView;
}

/** A write added to a transaction (composeCreate, composeUpdate, composeDelete): what it comes
 *  to, how its results are checked once committed, and what the replica shows once it has it. */
export interface ComposedWrite<V> {
  outcome: 'created' | 'unchanged' | 'updated' | 'deleted';
  value: V;
  /** The name of the object written. */
  name: string;
  check(results: OperationResult[]): void;
  /** Whether the object of that name in a snapshot (undefined: none) shows the write. */
  shows(held: unknown): boolean;
}

/** How a write is composed in a batch (one transaction of several writes). */
export interface ComposeOptions {
  /** An update or delete guards its object's existence (see guardExists). */
  guardExists?: boolean;
  /** The object of a name as held now: a create of an object held exactly as sent keeps it
   *  (see composeCreate). */
  keepSame?: (name: string) => unknown;
  /** The object as later writes of the same batch leave it: held like that, the create was done
   *  too (a batch that creates a group and then gives it its rules, sent again). */
  keepAs?: unknown;
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

  /** The object a create (`name` absent) or an update of `name` would write, or undefined when
   *  its input is not one. */
  objectOf(input: unknown, name?: string): T | undefined {
    const whole = name === undefined ? input : { ...(input as object), name: (input as { name?: string }).name ?? name };
    const r = this.spec.model.schema.safeParse(whole);
    return r.success ? r.data : undefined;
  }

  /** Every object of snapshot `s`, by name. */
  byName(s: Snapshot): Map<string, T> {
    return new Map(this.spec.read(s).map((x) => [x.name, x]));
  }

  get(name: string): T {
    const found = this.spec.read(this.ctx.snapshot()).find((x) => x.name === name);
    if (!found) throw new NotFoundError(this.kind, name);
    return found;
  }

  async create(input: I): Promise<T> {
    return this.run(this.composeCreate(new Txn(this.ctx.snapshot()), input));
  }

  async update(name: string, input: U): Promise<T> {
    return this.run(this.composeUpdate(new Txn(this.ctx.snapshot()), name, input));
  }

  async delete(name: string): Promise<void> {
    await this.run(this.composeDelete(new Txn(this.ctx.snapshot()), name));
  }

  /** Commits a write composed alone in its transaction, checks it, and reads it back. */
  private async run<R>(w: ComposedWrite<R> & { txn: Txn }): Promise<R> {
    w.check(await this.ctx.commit(w.txn));
    await this.ctx.settle((s) => w.shows(this.spec.read(s).find((x) => x.name === w.name)));
    return w.value;
  }

  /**
   * Adds a create to `txn`, as one section: the parsed object's guards, then its rows. With
   * `keepSame`, an object the replica already holds exactly as sent is kept instead (outcome
   * 'unchanged', its rows guarded to be still the same), so that a batch sent again after an
   * answer that never came does what it did the first time.
   */
  composeCreate(txn: Txn, input: I, options: ComposeOptions = {}): ComposedWrite<T> & { txn: Txn } {
    const obj = parse(this.spec.model.schema, input, this.kind);
    const held = options.keepSame?.(obj.name) as T | undefined;
    if (held && (same(held, obj) || (options.keepAs !== undefined && same(held, options.keepAs)))) {
      txn.section();
      this.guardSame(txn, held);
      return { txn, outcome: 'unchanged', value: held, name: obj.name, check: () => {}, shows: () => true };
    }
    txn.section(this.clashes(obj));
    this.spec.guardWrite?.(txn, obj, 'create', this.ctx.view);
    const rows = this.spec.toRows(obj);
    txn.add(op.insert(this.spec.table, rows.row));
    this.insertChildren(txn, rows);
    return { txn, outcome: 'created', value: obj, name: obj.name, check: () => {}, shows: (x) => same(x, obj) };
  }

  /** Adds a replacement of the whole object to `txn`, as one section. */
  composeUpdate(txn: Txn, name: string, input: U, options: ComposeOptions = {}): ComposedWrite<T> & { txn: Txn } {
    const obj = parse(this.spec.model.schema, { ...input, name: input.name ?? name }, this.kind);
    checkSameName(name, obj.name);
    txn.section(this.clashes(obj));
    if (options.guardExists) this.guardExists(txn, name);
    this.spec.guardWrite?.(txn, obj, 'update', this.ctx.view);
    const rows = this.spec.toRows(obj);
    // First the object's own row: its count says whether the object exists.
    const i = txn.add(op.update(this.spec.table, byName(name), withoutName(rows.row)));
    this.deleteChildren(txn, name);
    this.insertChildren(txn, rows);
    return {
      txn,
      outcome: 'updated',
      value: obj,
      name,
      check: (results) => this.expectRow(results, i, name),
      shows: (x) => same(x, obj),
    };
  }

  /** Adds a delete of the object, its child rows and what was learned about it to `txn`, as one section. */
  composeDelete(txn: Txn, name: string, options: ComposeOptions = {}): ComposedWrite<undefined> & { txn: Txn } {
    txn.section();
    if (options.guardExists) this.guardExists(txn, name);
    this.spec.guardDelete?.(txn, name, this.ctx.view);
    const i = txn.add(op.delete(this.spec.table, byName(name)));
    this.deleteChildren(txn, name);
    for (const c of this.spec.learned ?? []) txn.add(op.delete(c.table, [[c.owner, '==', name]]));
    return {
      txn,
      outcome: 'deleted',
      value: undefined,
      name,
      check: (results) => this.expectRow(results, i, name),
      shows: (x) => x === undefined,
    };
  }

  /** In a batch, an update or delete of a missing object must fail the transaction: a count
   *  read after the commit could not undo the other writes. */
  private guardExists(txn: Txn, name: string): void {
    txn.mustExist(this.spec.table, 'name', name, () => new NotFoundError(this.kind, name));
  }

  /** The object's rows, its own and its child rows, are still those of `obj`. */
  private guardSame(txn: Txn, obj: T): void {
    const changed = () => new ConflictError(`${this.kind} "${obj.name}" changed while it was written; send the request again`);
    const rows = this.spec.toRows(obj);
    txn.mustEqual(this.spec.table, byName(obj.name), rows.row, changed);
    for (const c of this.spec.children ?? []) {
      const children = rows.children?.[c.table] ?? [];
      const columns = children[0] ? Object.keys(children[0]) : [c.owner];
      txn.mustMatch(c.table, [[c.owner, '==', obj.name]], columns, children, changed);
    }
  }

  private insertChildren(txn: Txn, rows: ObjectRows): void {
    for (const c of this.spec.children ?? []) for (const row of rows.children?.[c.table] ?? []) txn.add(op.insert(c.table, row));
  }

  private deleteChildren(txn: Txn, name: string): void {
    for (const c of this.spec.children ?? []) txn.add(op.delete(c.table, [[c.owner, '==', name]]));
  }

  /** How index clashes of a write of `subject` read: its name "already exists", others as the
   *  description words them. */
  private clashes(subject: T): IndexClashHandler {
    return (table, columns) => {
      if (table === this.spec.table && columns.length === 1 && columns[0] === 'name')
        return new ConflictError(`${this.kind} "${subject.name}" already exists`);
      return this.spec.clash?.(subject, table, columns, this.ctx.view);
    };
  }

  private expectRow(results: OperationResult[], index: number, name: string): void {
    if (!results[index]?.count) throw new NotFoundError(this.kind, name);
  }
}
