// Member leases and mastership generations: the two writes the mastership logic builds on.
import { op } from '../../ovsdb/index.ts';
import type { Committer } from './committer.ts';
import { ConflictError, InvalidError } from './errors.ts';
import { Txn } from './txn.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Renews `member`'s lease until `expires` (ms since the epoch); needs a quorum, like every write. */
export async function heartbeat(committer: Committer, member: string, expires: number, options: { timeoutMs?: number } = {}): Promise<void> {
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
 * Read-modify-write guarded by a `wait` on the generation read; a concurrent bump makes the
 * guard (or the unique index on `node`, for the first one) fail and the loop re-reads, so two
 * callers never get the same number.
 */
export async function bumpGeneration(committer: Committer, node: string, member: string, options: { timeoutMs?: number } = {}): Promise<number> {
  if (!node || !member) throw new InvalidError('node and member must be non-empty', []);
  const deadline = Date.now() + (options.timeoutMs ?? committer.writeTimeoutMs);
  for (let attempt = 1; ; attempt++) {
    const read = new Txn();
    const s = read.add(op.select('Mastership', [['node', '==', node]], ['generation']));
    const current = (await committer.commit(read, deadline))[s]?.rows?.[0]?.generation as number | undefined;
    const next = (current ?? 0) + 1;
    const raced = () => new ConflictError(`mastership of "${node}" changed concurrently`);
    const write = new Txn();
    write.indexClash = raced;
    if (current === undefined) {
      write.add(op.insert('Mastership', { node, member, generation: next }));
    } else {
      write.mustEqual('Mastership', [['node', '==', node]], { generation: current }, raced);
      write.add(op.update('Mastership', [['node', '==', node]], { member, generation: next }));
    }
    try {
      await committer.commit(write, deadline);
      return next;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (Date.now() >= deadline) throw new ConflictError(`mastership of "${node}": still contended after ${attempt} attempts`, { cause: err });
      // A follower may not have the winner's commit yet; give it a moment, with jitter.
      await sleep(2 + Math.random() * 10 * Math.min(attempt, 5));
    }
  }
}
