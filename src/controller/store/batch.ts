// Many writes at once (the API's POST /api/v1/batch, as NSX's batch API). Atomic: every write is
// a section of ONE transaction, composed by the same code as a write alone (resource.ts), in
// order, so a write may refer to what an earlier one creates (a transaction's operations see
// those before them); all commit or none. Not atomic: each write is its own transaction, in
// order, each answered for itself. Either way a create of an object held exactly as sent keeps
// it ('unchanged'), so a batch sent again after an answer that never came does what it did.
import type { OperationResult } from '../../ovsdb/index.ts';
import type { ResourceName } from '../../model/index.ts';
import { NvlabError } from '../../util/errors.ts';
import type { Snapshot } from './description.ts';
import { StoreError, StoreUnavailableError } from './errors.ts';
import type { ComposedWrite, ComposeOptions, Resource } from './resource.ts';
import { Txn } from './txn.ts';

/** One write of a batch; `input` is checked by the resource's schema as a write alone is. */
export type BatchWrite =
  | { resource: ResourceName; op: 'create'; input: unknown }
  | { resource: ResourceName; op: 'update'; name: string; input: unknown }
  | { resource: ResourceName; op: 'delete'; name: string };

/** What a write came to, and the object as stored (none for a delete). */
export interface BatchOutcome {
  outcome: ComposedWrite<unknown>['outcome'];
  value: unknown;
}

/** A write of a batch that failed: which one, by its place and the name of the object it writes. */
export class BatchWriteError extends NvlabError {
  constructor(
    readonly index: number,
    readonly object: string | undefined,
    readonly error: StoreError,
  ) {
    super('BATCH_WRITE', `write ${index}${object === undefined ? '' : ` ("${object}")`}: ${error.message}`, { cause: error });
  }
}

/** What a batch needs of the store. */
export interface BatchContext {
  resource(name: ResourceName): Resource<{ name: string }, never, never>;
  snapshot(): Snapshot;
  commit(txn: Txn, deadline: number): Promise<OperationResult[]>;
  /** Waits (bounded) until a snapshot passes `probe`. */
  settle(probe: (s: Snapshot) => boolean): Promise<void>;
  /** The bound of one write alone. */
  writeTimeoutMs: number;
}

/** A batch's bound grows with its operations beyond a write's: ovsdb-server and the Raft log
 *  take longer over a large transaction, and that is not a lost quorum. */
const BATCH_MS_PER_OPERATION = 0.5;

export const nameOf = (w: BatchWrite): string | undefined =>
  w.op === 'create' ? (typeof (w.input as { name?: unknown })?.name === 'string' ? (w.input as { name: string }).name : undefined) : w.name;

function compose(ctx: BatchContext, txn: Txn, w: BatchWrite, options: ComposeOptions): ComposedWrite<unknown> {
  const r = ctx.resource(w.resource);
  if (w.op === 'create') return r.composeCreate(txn, w.input as never, options);
  if (w.op === 'update') return r.composeUpdate(txn, w.name, w.input as never, options);
  return r.composeDelete(txn, w.name, options);
}

/** Each resource's objects by name in a snapshot, each read once (a batch may hold thousands of
 *  writes: reading the table for each would be quadratic). */
function indexOf(ctx: BatchContext, s: Snapshot): (resource: ResourceName) => Map<string, unknown> {
  const maps = new Map<ResourceName, Map<string, unknown>>();
  return (resource) => {
    let m = maps.get(resource);
    if (!m) maps.set(resource, (m = ctx.resource(resource).byName(s)));
    return m;
  };
}

/** Every write in one transaction, each a section; one that cannot be composed (its body, a
 *  check made before the store) fails the batch with its place. */
function composeAll(ctx: BatchContext, txn: Txn, writes: readonly BatchWrite[]): ComposedWrite<unknown>[] {
  const held = indexOf(ctx, ctx.snapshot());
  const keyOf = (w: BatchWrite) => `${w.resource}/${nameOf(w)}`;
  const last = new Map(writes.map((w, i) => [keyOf(w), i]));
  // Only an object that no earlier write of the batch touches may be kept as it is.
  const touched = new Set<string>();
  return writes.map((w, i) => {
    const key = keyOf(w);
    const keepSame = touched.has(key) ? undefined : (name: string) => held(w.resource).get(name);
    const final = writes[last.get(key)!]!;
    const keepAs =
      final !== w && final.op !== 'delete'
        ? ctx.resource(final.resource).objectOf(final.input, final.op === 'update' ? final.name : undefined)
        : undefined;
    try {
      const c = compose(ctx, txn, w, { guardExists: true, ...(keepSame ? { keepSame } : {}), ...(keepAs ? { keepAs } : {}) });
      touched.add(key);
      return c;
    } catch (error) {
      if (error instanceof StoreError) throw new BatchWriteError(i, nameOf(w), error);
      throw error;
    }
  });
}

/** All the writes or none, in one transaction. */
export async function commitAtomic(ctx: BatchContext, writes: readonly BatchWrite[]): Promise<BatchOutcome[]> {
  for (let round = 0; ; round++) {
    const txn = new Txn(ctx.snapshot());
    const composed = composeAll(ctx, txn, writes);
    let results: OperationResult[];
    try {
      results = await ctx.commit(txn, Date.now() + ctx.writeTimeoutMs + txn.ops.length * BATCH_MS_PER_OPERATION);
    } catch (error) {
      const i = txn.failure?.section;
      if (!(error instanceof StoreError) || error instanceof StoreUnavailableError || i === undefined) throw error;
      // A create that lost its name to a row this member's replica does not show yet (this very
      // batch, committed by an attempt whose answer was lost): once it does, compose again.
      if (round === 0 && (await caughtUp(ctx, txn, writes[i]!))) continue;
      throw new BatchWriteError(i, nameOf(writes[i]!), error);
    }
    composed.forEach((c) => c.check(results));
    // Read back as this member's replica shows it: the last write of each object is what shows.
    const last = new Map(composed.map((c, i) => [`${writes[i]!.resource}/${c.name}`, i]));
    await ctx.settle((s) => {
      const held = indexOf(ctx, s);
      return [...last.values()].every((i) => composed[i]!.shows(held(writes[i]!.resource).get(composed[i]!.name)));
    });
    return composed.map((c) => ({ outcome: c.outcome, value: c.value }));
  }
}

/** After a name clash with an existing row on a create: waits (bounded) until the replica shows
 *  that row, to compose once more (true); the row may be what this batch made. */
async function caughtUp(ctx: BatchContext, txn: Txn, w: BatchWrite): Promise<boolean> {
  const clash = txn.failure?.clash;
  const name = nameOf(w);
  if (w.op !== 'create' || name === undefined || !clash?.existing || clash.columns.join() !== 'name') return false;
  const r = ctx.resource(w.resource);
  await ctx.settle((s) => r.byName(s).has(name));
  return true;
}

/** Each write alone, in order: its outcome or its failure. A lost quorum stops the batch (every
 *  write after it would meet the same), said as unknown when writes before it committed. */
export async function commitEach(ctx: BatchContext, writes: readonly BatchWrite[]): Promise<(BatchOutcome | { error: StoreError })[]> {
  const done: (BatchOutcome | { error: StoreError })[] = [];
  for (const w of writes) {
    const txn = new Txn(ctx.snapshot());
    const r = ctx.resource(w.resource);
    const held = (s: Snapshot, name: string) => r.byName(s).get(name);
    try {
      const c = compose(ctx, txn, w, { keepSame: (name) => held(ctx.snapshot(), name) });
      c.check(await ctx.commit(txn, Date.now() + ctx.writeTimeoutMs));
      await ctx.settle((s) => c.shows(held(s, c.name)));
      done.push({ outcome: c.outcome, value: c.value });
    } catch (error) {
      if (error instanceof StoreUnavailableError && done.some((d) => 'outcome' in d))
        throw new StoreUnavailableError(`${error.message} (after ${done.length} writes of the batch)`, 'unknown', { cause: error });
      if (!(error instanceof StoreError) || error instanceof StoreUnavailableError) throw error;
      done.push({ error });
    }
  }
  return done;
}
