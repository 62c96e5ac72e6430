// Member leases and mastership generations: the two writes the mastership logic builds on.
import { op, type Condition } from '../../ovsdb/index.ts';
import type { Committer } from './committer.ts';
import { ConflictError, InvalidError } from './errors.ts';
import { Txn } from './txn.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Renews `member`'s lease until `expires` (ms since the epoch); needs a quorum, like every write. */
export async function heartbeat(
  committer: Committer,
  member: string,
  expires: number,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  if (!member) throw new InvalidError('member name is empty', [{ path: ['member'], message: 'a non-empty name' }]);
  if (!Number.isSafeInteger(expires) || expires < 0) {
    throw new InvalidError(`bad lease end ${expires}`, [{ path: ['expires'], message: 'ms since the epoch, an integer' }]);
  }
  const deadline = Date.now() + (options.timeoutMs ?? committer.writeTimeoutMs);
  // Update first (the common case); only the first heartbeat inserts. Another writer of the
  // same name can only be a restarted incarnation of this member, so a clash means "update".
  for (;;) {
    const update = new Txn();
    const i = update.add(op.update('Member', [['name', '==', member]], { expires }));
    if ((await committer.commit(update, deadline))[i]?.count) return;
    const insert = new Txn();
    insert.indexClash = () => new ConflictError(`member "${member}" appeared concurrently`);
    insert.add(op.insert('Member', { name: member, expires }));
    try {
      await committer.commit(insert, deadline);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}

/**
 * Makes `member` master of `node` with a generation higher than any before, and returns it.
 * One transaction in the common case: an atomic `+= 1` then a read of the result, so two
 * callers never get the same number and a takeover costs a single commit. Only a node's first
 * master inserts its row, guarded by the unique index on `node`; a clash there means another
 * member inserted first, and the loop then increments that row.
 */
export async function bumpGeneration(
  committer: Committer,
  node: string,
  member: string,
  options: { timeoutMs?: number } = {},
): Promise<number> {
  if (!node || !member) throw new InvalidError('node and member must be non-empty', []);
  const deadline = Date.now() + (options.timeoutMs ?? committer.writeTimeoutMs);
  for (let attempt = 1; ; attempt++) {
    const bump = new Txn();
    const where: Condition[] = [['node', '==', node]];
    const m = bump.add(op.mutate('Mastership', where, [['generation', '+=', 1]]));
    bump.add(op.update('Mastership', where, { member }));
    const s = bump.add(op.select('Mastership', where, ['generation']));
    const results = await committer.commit(bump, deadline);
    const generation = results[s]?.rows?.[0]?.generation as number | undefined;
    if (results[m]?.count && generation !== undefined) return generation;
    const insert = new Txn();
    insert.indexClash = () => new ConflictError(`mastership of "${node}" appeared concurrently`);
    insert.add(op.insert('Mastership', { node, member, generation: 1 }));
    try {
      await committer.commit(insert, deadline);
      return 1;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (Date.now() >= deadline)
        throw new ConflictError(`mastership of "${node}": still contended after ${attempt} attempts`, { cause: err });
      // A follower may not have the winner's insert yet; give it a moment, with jitter.
      await sleep(2 + Math.random() * 10 * Math.min(attempt, 5));
    }
  }
}
